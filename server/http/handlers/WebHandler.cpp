#include <string>

#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Embedded.h"
#include "util/Error.h"

namespace strata {
namespace {

const EmbeddedFile* findPageFile(const std::string& name) {
  for (const auto& f : embedded_web::files())
    if (f.name == name) return &f;
  return nullptr;
}

std::string contentTypeOf(const std::string& name) {
  auto endsWith = [&](const char* suffix) {
    std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (endsWith(".html")) return "text/html; charset=utf-8";
  if (endsWith(".js")) return "text/javascript; charset=utf-8";
  if (endsWith(".css")) return "text/css; charset=utf-8";
  if (endsWith(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void servePageFile(Exchange& x, const std::string& name) {
  const EmbeddedFile* file = findPageFile(name);
  if (file == nullptr) throw Error(ErrorKind::UnknownName, "no page file '" + name + "'");
  auto& r = x.response;
  // The page shows what package sets and Nix say: even if some text slipped
  // into markup, no inline script runs and nothing loads from elsewhere.
  r.set("Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "DENY");
  r.set("Referrer-Policy", "no-referrer");
  r.set("Cache-Control", "no-cache");
  x.sendBody(contentTypeOf(name), file->content);
}

}  // namespace

void handleWebPage(Exchange& x) {
  servePageFile(x, "index.html");
}

void handleWebAsset(Exchange& x) {
  const std::string& name = x.param("file");
  // Only the page's own script and style sheet: index.html is served at /.
  if (name == "index.html") throw Error(ErrorKind::UnknownName, "no page file '" + name + "'");
  servePageFile(x, name);
}

}  // namespace strata
