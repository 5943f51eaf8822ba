#!/usr/bin/env bash
# The plugin SDK outside the repository: install it, build the example plugin
# (examples/plugin-max-paths) from a copy in a temporary folder both with the
# installed CMake package and with the plain compiler line of docs/plugins.md,
# check what the libraries export, and load them into a real server.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools cmake g++ nm

prefix="$WORK/sdk"
if ! cmake --install "$STRATA_BUILD_DIR" --component sdk --prefix "$prefix" >"$WORK/install.log" 2>&1; then
  cat "$WORK/install.log" >&2
  fail "cmake --install --component sdk failed"
fi
expect_eq "" "$(find "$prefix" -type f ! -path "$prefix/include/strata/sdk/*" ! -path "$prefix/lib*/cmake/StrataSDK/*")" \
  "the SDK installs its headers and its CMake package, nothing else"
for h in abi closure layering policy plugin json util; do
  [[ -f "$prefix/include/strata/sdk/$h.h" ]] || fail "strata/sdk/$h.h was not installed"
done
ok "every SDK header is installed"
expect_eq "" "$(grep -l '#include "\(server\|http\|layers\|util\)/' "$prefix"/include/strata/sdk/*.h || true)" \
  "no SDK header includes anything of the server"

# A copy outside the repository: nothing but the installed SDK is reachable.
src="$WORK/src"
cp -R "$STRATA_SOURCE_DIR/examples/plugin-max-paths" "$src"

# 1. With the installed CMake package.
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if ! { cmake -S "$src" -B "$WORK/build" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix" &&
  cmake --build "$WORK/build"; } >"$WORK/cmake.log" 2>&1; then
  cat "$WORK/cmake.log" >&2
  fail "building the example with find_package(StrataSDK) failed"
fi
[[ -f "$WORK/build/policy-max-paths.so" ]] || fail "no $WORK/build/policy-max-paths.so"
ok "find_package(StrataSDK) + strata_add_plugin build policy-max-paths.so"
expect_eq "strata_plugin_abi strata_plugin_register" \
  "$(nm -D --defined-only "$WORK/build/policy-max-paths.so" | awk '{print $3}' | sort | xargs)" \
  "the CMake-built plugin exports the two entry points and nothing else"

# 2. With the plain compiler line (docs/plugins.md).
mkdir -p "$WORK/plain"
if ! g++ -std=c++20 -O2 -shared -fPIC -fvisibility=hidden -I"$prefix/include" \
  "$src/MaxPathsPolicy.cpp" -o "$WORK/plain/policy-max-paths.so" >"$WORK/gxx.log" 2>&1; then
  cat "$WORK/gxx.log" >&2
  fail "the plain compiler line failed"
fi
ok "the plain compiler line builds policy-max-paths.so"
nm -D --defined-only "$WORK/plain/policy-max-paths.so" | grep -q ' T strata_plugin_abi$' ||
  fail "the plain build does not export strata_plugin_abi"
nm -D --defined-only "$WORK/plain/policy-max-paths.so" | grep -q ' T strata_plugin_register$' ||
  fail "the plain build does not export strata_plugin_register"
ok "the plain build exports the entry points"

# Both load into the server; the policy works.
for dir in "$WORK/build" "$WORK/plain"; do
  write_config "$WORK/strata.json" "
    .plugins.directory = \"$dir\" | .plugins.load = [\"policy-max-paths\"]
    | .plugins.config = { \"policy-max-paths\": { maxPaths: 50 } }"
  start_server "$WORK/strata.json"
  http GET /api/v1/plugins
  expect_eq "policy-max-paths policy:max-paths $dir/policy-max-paths.so" \
    "$(jq -r '.plugins[1] | "\(.name) \(.provides[0].kind):\(.provides[0].name) \(.file)"' "$WORK/last.body")" \
    "the server loaded the plugin from $dir"
  http GET /v2/fx/hello/manifests/latest
  expect_status 200 "a small image is allowed"
  http GET /v2/fx/manyall/manifests/latest
  expect_error 403 DENIED "an image of 122 store paths is denied"
  expect_eq "access denied by policy 'max-paths' (plugin policy-max-paths): the image holds 122 store paths, more than 50" \
    "$(error_field message)" "with the plugin's reason"
  stop_server
done
