# Benchmark package set: one image whose closure is about 100 MB, with
# thousands of small files (binary-like and text-like) and large files
# (binary, already compressed, text).
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

  # The large files of a real closure: a 20 MB binary (10 copies of busybox
  # with a counter between them), 15 MB of already-compressed data (15 gzip
  # files, as man pages, fonts and archives are) and a 9 MB text log.
  largeFile = lib.mkPackage {
    name = "bench-large-file";
    script = ''
      mkdir -p $out/share
      for i in $(seq 1 10); do
        cat ${busybox}/bin/busybox
        echo "copy $i"
      done > $out/share/large.bin
    '';
  };

  compressedData = lib.mkPackage {
    name = "bench-compressed-data";
    script = ''
      mkdir -p $out/share/assets
      for i in $(seq 1 15); do
        { cat ${busybox}/bin/busybox; echo "asset $i"; } | gzip -6 > $out/share/assets/asset-$i.gz
      done
    '';
  };

  textLog = lib.mkPackage {
    name = "bench-text-log";
    script = ''
      mkdir -p $out/share/log
      seq 1 120000 | sed 's/.*/2026-12-04T10:00:00Z INFO request & served from the layer cache in 3 ms/' \
        > $out/share/log/requests.log
    '';
  };

  # 150 tiny packages (one text file each, no references): images of two of
  # them (11,175 distinct pairs) cost Nix little, so tests/bench/many_images.sh
  # can build thousands of distinct images in one run.
  tiny = builtins.listToAttrs (builtins.genList (i:
    let
      n = toString i;
      name = "p" + (if i < 10 then "00" + n else if i < 100 then "0" + n else n);
    in {
      inherit name;
      value = lib.mkPackage {
        name = "bench-tiny-${name}";
        script = ''
          mkdir -p $out/share/tiny
          echo "tiny package ${name}" > $out/share/tiny/${name}.txt
        '';
      };
    }) 150);

  app = lib.writeScriptBin "bench-app" ''
    find ${smallFiles}/share/bench -type f | wc -l
    wc -c < ${largeFile}/share/large.bin
    ls ${compressedData}/share/assets | wc -l
    wc -l < ${textLog}/share/log/requests.log
  '';
}
