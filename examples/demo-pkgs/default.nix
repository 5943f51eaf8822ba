# The demo package set Strata serves under the prefix "demo" (config/strata.json).
# Pull it with:  skopeo copy --src-tls-verify=false docker://127.0.0.1:8080/demo/shell/hello:latest oci:hello:latest
{ system ? builtins.currentSystem }:
let
  lib = import ./lib.nix { inherit system; };
  inherit (lib) busybox mkPackage writeScriptBin;

  # Data shared by several programs: a package that is only a dependency.
  greeting = mkPackage {
    name = "greeting-data-1.0";
    script = ''
      mkdir -p $out/share/greeting
      echo "Hello from Strata!" > $out/share/greeting/message
    '';
  };
in
rec {
  inherit busybox greeting;

  hello = writeScriptBin "hello" ''
    cat ${greeting}/share/greeting/message
  '';

  cowsay = writeScriptBin "cowsay" ''
    text="$*"
    [ -n "$text" ] || text="$(${hello}/bin/hello)"
    line=$(echo "$text" | sed 's/./-/g')
    echo " -$line-"
    echo "< $text >"
    echo " -$line-"
    echo '        \   ^__^'
    echo '         \  (oo)\_______'
    echo '            (__)\       )\/\'
    echo '                ||----w |'
    echo '                ||     ||'
  '';

  wordCount = writeScriptBin "word-count" ''
    exec wc -w "$@"
  '';

  # A small service: what the declared image "greeter" below runs.
  greeterService = writeScriptBin "greeter" ''
    echo "$GREETING, I am $(id -un) (uid $(id -u)) in $(pwd)"
    [ -z "$1" ] || echo "asked: $*"
  '';

  # Declared images (docs/images.md): pull demo/greeter and the image runs
  # greeter as the user app, with its settings; demo/greeter/cowsay adds a
  # package. The arguments are those of dockerTools.buildLayeredImage.
  images = {
    greeter = {
      contents = [ greeterService busybox ];
      config = {
        Entrypoint = [ "/bin/greeter" ];
        Cmd = [ "--once" ];
        Env = [ "GREETING=Hello from a declared image" ];
        WorkingDir = "/home/app";
        ExposedPorts = { "8080/tcp" = { }; };
        Labels = { "org.opencontainers.image.title" = "greeter"; };
        StopSignal = "SIGTERM";
      };
      user = { name = "app"; uid = 1000; gid = 1000; };
    };
  };

  # A nested set, reached as demo/tools.jsonpretty (attribute paths are matched
  # case-insensitively: tools.jsonPretty).
  tools = {
    jsonPretty = writeScriptBin "json-pretty" ''
      sed -e 's/,/,\n/g'
    '';
  };
}
