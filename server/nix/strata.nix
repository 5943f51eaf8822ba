# Strata's only Nix expression. Everything a request contributes arrives as a
# string argument (--argstr) and is read with builtins.fromJSON, so no request
# data is ever parsed as Nix code.
#
#   packageSet  absolute path of the package set (a file or a folder)
#   namesJson   JSON list of attribute paths, e.g. ["hello","python3packages.requests"]
#   system      Nix system to build for, e.g. "x86_64-linux"
#   imagesAttribute  the attribute of the package set holding declared images
#   maxEntries  the package listing holds at most this many packages (a number)
#   maxDepth    the listing enters nested sets down to this depth (a number)
{ packageSet, namesJson ? "[]", system, imagesAttribute ? "images", maxEntries ? "50000",
  maxDepth ? "3" }:
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

  # --- declared images -------------------------------------------------------
  # The package set's declarations, each checked by the server: here they are
  # only turned into plain data. Nothing of a declaration is trusted to
  # evaluate: every value is tried, and what JSON cannot hold (functions,
  # derivations, paths) is named instead, so the server can say which key is
  # wrong rather than Nix failing on the whole set.
  declarations =
    let tried = builtins.tryEval (if imagesAttribute != "" && builtins.isAttrs pkgs
                                  then pkgs.${imagesAttribute} or { } else { });
    in if tried.success && builtins.isAttrs tried.value && !(isDerivation tried.value)
       then tried.value else { };

  # A value as JSON data, at most `depth` levels deep.
  plain = depth: v:
    let
      tried = builtins.tryEval (
        if builtins.isString v then v
        else if builtins.isInt v || builtins.isBool v || builtins.isFloat v || v == null then v
        else if builtins.isPath v then { __strataInvalid = "a path"; }
        else if builtins.isFunction v then { __strataInvalid = "a function"; }
        else if isDerivation v then { __strataInvalid = "a package"; }
        else if depth == 0 then { __strataInvalid = "nested too deeply"; }
        else if builtins.isList v then map (plain (depth - 1)) v
        else if builtins.isAttrs v then builtins.mapAttrs (_: plain (depth - 1)) v
        else { __strataInvalid = "of an unknown type"; });
      forced = if tried.success then builtins.tryEval (builtins.deepSeq tried.value tried.value)
               else tried;
    in if forced.success then forced.value else { __strataInvalid = "failing to evaluate"; };

  # One entry of `contents`: a package, with its name as grants and the SBOM
  # see it.
  content = c:
    let tried = builtins.tryEval (if isDerivation c then {
          status = "ok";
          name = c.pname or (builtins.parseDrvName c.name).name;
          out = c.outPath;
          meta = metaOf c;
        } else { status = "invalid"; found = (plain 0 c); });
        forced = if tried.success then builtins.tryEval (builtins.deepSeq tried.value tried.value)
                 else tried;
    in if forced.success then forced.value else { status = "invalid"; found = { __strataInvalid = "failing to evaluate"; }; };

  describeDeclaration = attr: decl:
    let
      d = builtins.tryEval (builtins.isAttrs decl && !(isDerivation decl));
      isSet = d.success && d.value;
      rawContents = builtins.tryEval (decl.contents or [ ]);
      contentsList =
        if !rawContents.success then { invalid = { __strataInvalid = "failing to evaluate"; }; }
        else if builtins.isList rawContents.value then { list = map content rawContents.value; }
        else { invalid = plain 0 rawContents.value; };
    in
      if !isSet then { inherit attr; invalid = plain 0 decl; }
      else {
        inherit attr;
        keys = builtins.attrNames decl;
        contents = contentsList;
        config = plain 6 (decl.config or { });
        user = plain 2 (decl.user or null);
      };

  # The names that are declared images (exact, else ignoring case): one at
  # most, which the server checks. A declared image's name is no package.
  declaredSteps = builtins.filter (x: x.found != null)
    (map (n: { requested = n; found = step declarations n; }) names);
  declaredContents =
    if builtins.length declaredSteps != 1 then [ ]
    else builtins.filter isDerivation ((builtins.head declaredSteps).found.value.contents or [ ]);
  packageNames = builtins.filter
    (n: !(builtins.any (x: x.requested == n) declaredSteps)) names;

  # --- the package listing (GET /api/v1/sources/<name>/packages) ---------------
  # Like nix-env -qa: the top-level attributes, and nested sets only when they
  # say `recurseForDerivations = true`. Every value is read inside
  # builtins.tryEval, so a package that throws is left out instead of failing
  # the listing. Strings only ("" otherwise); name and version are pname and
  # version, else parsed from the derivation's name. The search query never
  # reaches Nix: the server filters this listing.
  limit = builtins.fromJSON maxEntries;
  depthLimit = builtins.fromJSON maxDepth;

  listedString = v: if builtins.isString v then v else "";

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
      pname = listedString (drv.pname or "");
      parsed = builtins.parseDrvName (listedString (drv.name or ""));
      version = listedString (drv.version or "");
      e = {
        attr = path;
        name = if pname != "" then pname else parsed.name;
        version = if version != "" then version else parsed.version;
        description = if builtins.isAttrs meta then listedString (meta.description or "") else "";
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

  listed = if builtins.isAttrs pkgs then walk "" 1 pkgs else [ ];
  listedCount = builtins.length listed;

  byAttr = path: (builtins.foldl' (acc: name: builtins.getAttr name acc) pkgs (components path));
in
{
  # nix-instantiate --eval --strict --json -A resolve
  resolve = {
    packages = builtins.listToAttrs (map (n: { name = n; value = resolveOne n; }) packageNames);
    declared = builtins.listToAttrs (map (x: {
      name = x.requested;
      value = describeDeclaration x.found.name x.found.value;
    }) declaredSteps);
  };
  # nix-build -A build, with namesJson holding resolved (exact) attribute paths
  build = map byAttr packageNames ++ declaredContents;
  # nix-instantiate --eval --strict --json -A listing: { packages = [ { attr,
  # name, version, description } … ]; truncated = bool; }
  listing = {
    packages = if listedCount <= limit then listed else builtins.genList (builtins.elemAt listed) limit;
    truncated = listedCount > limit;
  };
  # nix-instantiate --eval --strict --json -A images: every declaration, unbuilt
  images = builtins.mapAttrs describeDeclaration declarations;
}
