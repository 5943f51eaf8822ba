# Benchmark package set: one package whose closure is about 100 MB, with
# thousands of small files (a part of Boost's headers, installed by
# scripts/setup.sh) and one large binary-like file.
{ system ? builtins.currentSystem }:
let
  lib = import ../../../examples/demo-pkgs/lib.nix { inherit system; };
  skip = [ "geometry" "fusion" "phoenix" "spirit" "math" "mpl" ];
  headers = builtins.path {
    path = /usr/include/boost;
    name = "boost-headers";
    filter = path: type:
      let rel = builtins.substring (builtins.stringLength "/usr/include/boost/") 1000 path;
          top = builtins.head (builtins.split "/" rel);
      in !(builtins.elem top skip);
  };
in
rec {
  inherit (lib) busybox;

  headersPkg = lib.mkPackage {
    name = "bench-headers";
    script = ''
      mkdir -p $out/include
      cp -r ${headers} $out/include/boost
    '';
  };

  # 16 copies of busybox with a counter between them: compresses like a binary.
  largePkg = lib.mkPackage {
    name = "bench-large";
    script = ''
      mkdir -p $out/share
      for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
        cat ${busybox}/bin/busybox
        echo "copy $i"
      done > $out/share/large.bin
    '';
  };

  app = lib.writeScriptBin "bench-app" ''
    ls ${headersPkg}/include/boost | wc -l
    wc -c < ${largePkg}/share/large.bin
  '';
}
