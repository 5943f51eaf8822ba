# The package listing of a package set (GET /api/v1/sources/<name>/packages).
# Evaluated like strata.nix, with the same isolation and the same string
# arguments (--argstr only; the ones it does not use are taken by `...`). No
# request data reaches it: the search query is applied by the server to the
# listing this returns.
#
#   packageSet  absolute path of the package set (a file or a folder)
#   system      Nix system, e.g. "x86_64-linux"
#   maxEntries  at most this many packages are listed (a number, as a string)
#   maxDepth    nested sets are entered down to this depth (a number, as a string)
#
# Like nix-env -qa: the top-level attributes, and nested sets only when they
# say `recurseForDerivations = true`. Every value is read inside
# builtins.tryEval, so a package that throws is left out instead of failing
# the listing. Answer: { packages = [ { attr, name, version, description }
# ... ]; truncated = bool; }, strings only ("" otherwise); name and version
# are pname and version, else parsed from the derivation's name.
{ packageSet, system, maxEntries ? "50000", maxDepth ? "3", ... }:
let
  raw = import packageSet;
  # As strata.nix calls the set (the same image contents as a pull sees).
  formals = if builtins.isFunction raw then builtins.functionArgs raw else { };
  callArgs =
    (if formals ? system then { inherit system; } else { })
    // (if formals ? config then { config = { }; } else { })
    // (if formals ? overlays then { overlays = [ ]; } else { });
  pkgs = if builtins.isFunction raw then raw callArgs else raw;

  limit = builtins.fromJSON maxEntries;
  depthLimit = builtins.fromJSON maxDepth;

  str = v: if builtins.isString v then v else "";

  # What a value is, or "broken" when finding out throws.
  kindOf = v:
    let
      t = builtins.tryEval (
        if !(builtins.isAttrs v) then "other"
        else if (v.type or null) == "derivation" then "package"
        else if (v.recurseForDerivations or false) == true then "set"
        else "other");
    in if t.success then t.value else "broken";

  entryOf = path: drv:
    let
      meta = drv.meta or { };
      pname = str (drv.pname or "");
      parsed = builtins.parseDrvName (str (drv.name or ""));
      version = str (drv.version or "");
      e = {
        attr = path;
        name = if pname != "" then pname else parsed.name;
        version = if version != "" then version else parsed.version;
        description = if builtins.isAttrs meta then str (meta.description or "") else "";
      };
      t = builtins.tryEval (builtins.deepSeq e e);
    in if t.success then [ t.value ] else [ ];

  walk = prefix: depth: set:
    builtins.concatMap
      (n:
        let
          got = builtins.tryEval (builtins.getAttr n set);
          path = if prefix == "" then n else prefix + "." + n;
          kind = if got.success then kindOf got.value else "broken";
        in
          if kind == "package" then entryOf path got.value
          else if kind == "set" && depth < depthLimit then walk path (depth + 1) got.value
          else [ ])
      (builtins.attrNames set);

  all = if builtins.isAttrs pkgs then walk "" 1 pkgs else [ ];
  count = builtins.length all;
in
{
  packages = if count <= limit then all else builtins.genList (builtins.elemAt all) limit;
  truncated = count > limit;
}
