# Benchmark package set: one image whose closure is about 100 MB, with
# thousands of small files (binary-like and text-like) and one large file.
# Everything is generated inside the build from busybox, so evaluating the set
# costs nothing and the figures measure Strata, not Nix's evaluator.
{ system ? builtins.currentSystem }:
let
  lib = import ../../../examples/demo-pkgs/lib.nix { inherit system; };
in
rec {
  inherit (lib) busybox;

  # 6000 binary-like files of 8 KiB (slices of the busybox binary) and 3000
  # text files (applet help texts), in 30 folders.
  smallFiles = lib.mkPackage {
    name = "bench-small-files";
    script = ''
      bb=${busybox}/bin/busybox
      blocks=$(( $(wc -c < $bb) / 4096 - 2 ))
      applets=$($bb --list)
      for d in $(seq 0 29); do
        mkdir -p $out/share/bench/d$d
        for f in $(seq 0 199); do
          n=$(( d * 200 + f ))
          { echo "file $n"; dd if=$bb bs=4096 skip=$(( n % blocks )) count=2 2>/dev/null; } \
            > $out/share/bench/d$d/bin-$f
        done
        i=0
        for a in $applets; do
          [ $i -lt 100 ] || break
          { echo "folder $d"; $bb $a --help 2>&1 || true; $bb $a --help 2>&1 || true; } > $out/share/bench/d$d/$a.txt
          i=$(( i + 1 ))
        done
      done
    '';
  };

  # One 49 MB file: 24 copies of busybox with a counter between them.
  largeFile = lib.mkPackage {
    name = "bench-large-file";
    script = ''
      mkdir -p $out/share
      for i in $(seq 1 24); do
        cat ${busybox}/bin/busybox
        echo "copy $i"
      done > $out/share/large.bin
    '';
  };

  app = lib.writeScriptBin "bench-app" ''
    find ${smallFiles}/share/bench -type f | wc -l
    wc -c < ${largeFile}/share/large.bin
  '';
}
