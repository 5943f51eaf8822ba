# Strata's only Nix expression. Everything a request contributes arrives as a
# string argument (--argstr) and is read with builtins.fromJSON, so no request
# data is ever parsed as Nix code.
#
#   packageSet  absolute path of the package set (a file or a folder)
#   namesJson   JSON list of attribute paths, e.g. ["hello","python3packages.requests"]
#   system      Nix system to build for, e.g. "x86_64-linux"
{ packageSet, namesJson, system }:
let
  raw = import packageSet;
  # A package set that is a function is called with {}, plus `system` when it
  # asks for it (that is how arm64 images select their platform), and empty
  # `config` and `overlays` when it takes them (as nixpkgs does), so that the
  # configuration of the user running Strata (~/.config/nixpkgs,
  # NIXPKGS_CONFIG) never changes what an image holds.
  formals = if builtins.isFunction raw then builtins.functionArgs raw else { };
  callArgs =
    (if formals ? system then { inherit system; } else { })
    // (if formals ? config then { config = { }; } else { })
    // (if formals ? overlays then { overlays = [ ]; } else { });
  pkgs = if builtins.isFunction raw then raw callArgs else raw;

  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  toLower = builtins.replaceStrings upper lower;

  isDerivation = v: builtins.isAttrs v && (v.type or null) == "derivation";

  # One step of an attribute path: the exact name, else the first name (in
  # sorted order) equal to it ignoring case. Null when there is none.
  step = set: name:
    if set == null then null
    else if !(builtins.isAttrs set) then null
    else if builtins.hasAttr name set then { inherit name; value = builtins.getAttr name set; }
    else
      let matches = builtins.filter (n: toLower n == toLower name) (builtins.attrNames set);
      in if matches == [ ] then null
      else let n = builtins.head (builtins.sort builtins.lessThan matches);
           in { name = n; value = builtins.getAttr n set; };

  components = path: builtins.filter builtins.isString (builtins.split "\\." path);

  resolveOne = path:
    let
      walk = acc: name:
        if acc == null then null
        else let s = step acc.value name;
             in if s == null then null else { value = s.value; names = acc.names ++ [ s.name ]; };
      found = builtins.foldl' walk { value = pkgs; names = [ ]; } (components path);
    in
      if found == null then { status = "missing"; }
      else if !(isDerivation found.value) then { status = "notPackage"; attr = builtins.concatStringsSep "." found.names; }
      else {
        status = "ok";
        attr = builtins.concatStringsSep "." found.names;
        out = found.value.outPath;
        meta = metaOf found.value;
      };

  # What the SBOM says of a requested package, from its meta: description,
  # homepage and licences, strings only (nixpkgs' licence sets give their
  # SPDX id or short name). A meta that fails to evaluate gives none.
  metaOf = drv:
    let
      raw = drv.meta or { };
      m = if builtins.isAttrs raw then raw else { };
      str = v: if builtins.isString v then v else null;
      licenceName = l:
        if builtins.isString l then l
        else if builtins.isAttrs l then str (l.spdxId or l.shortName or l.fullName or null)
        else null;
      licences = l:
        if builtins.isList l then map licenceName l
        else if l == null then [ ]
        else [ (licenceName l) ];
      homepage = h: if builtins.isList h then (if h == [ ] then null else str (builtins.head h)) else str h;
      value = {
        description = str (m.description or null);
        homepage = homepage (m.homepage or null);
        licenses = builtins.filter builtins.isString (licences (m.license or null));
      };
      tried = builtins.tryEval (builtins.deepSeq value value);
    in
      if tried.success then tried.value else { };

  names = builtins.fromJSON namesJson;

  byAttr = path: (builtins.foldl' (acc: name: builtins.getAttr name acc) pkgs (components path));
in
{
  # nix-instantiate --eval --strict --json -A resolve
  resolve = builtins.listToAttrs (map (n: { name = n; value = resolveOne n; }) names);
  # nix-build -A build, with namesJson holding resolved (exact) attribute paths
  build = map byAttr names;
}
