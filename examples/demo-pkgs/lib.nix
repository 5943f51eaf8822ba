# Building blocks for package sets that need no nixpkgs: every derivation is
# built by Debian's static busybox (package busybox-static), imported from the
# build machine into the Nix store.
{ system ? builtins.currentSystem }:
let
  # Only the busybox binary of /usr/bin is imported. Busybox picks its applet
  # from the name it is called by, so the builder must be a path ending in
  # "/busybox", which "${bootstrap}/busybox" is.
  bootstrap = builtins.path {
    path = /usr/bin;
    name = "busybox-static";
    filter = path: type: baseNameOf path == "busybox";
  };
  bb = "${bootstrap}/busybox";

  # The runtime busybox: a copy of the binary plus one link per applet, so that
  # images get /bin/sh, /bin/ls, ... and scripts get a shell to run under.
  busybox = derivation {
    name = "busybox-1.35.0";
    inherit system;
    builder = bb;
    args = [ "sh" "-c" ''
      ${bb} mkdir -p $out/bin
      ${bb} cp ${bb} $out/bin/busybox
      for applet in $(${bb} --list); do
        [ "$applet" = busybox ] || ${bb} ln -s busybox $out/bin/$applet
      done
    '' ];
  };

  # A derivation whose build is a busybox shell script with busybox's applets
  # on PATH.
  mkPackage = { name, script, env ? { } }:
    derivation ({
      inherit name system;
      builder = "${busybox}/bin/busybox";
      args = [ "sh" "-e" "-c" script ];
      PATH = "${busybox}/bin";
    } // env);

  # A package holding one executable script, run by busybox's sh with busybox's
  # applets on PATH, so that it also works in an image without the shell.
  writeScriptBin = name: text: mkPackage {
    inherit name;
    script = ''
      mkdir -p $out/bin
      cat > $out/bin/${name} <<'STRATA_EOF'
      #!${busybox}/bin/sh
      PATH=${busybox}/bin''${PATH:+:$PATH}
      ${text}
      STRATA_EOF
      chmod 555 $out/bin/${name}
    '';
  };
in
{
  inherit busybox mkPackage writeScriptBin;
}
