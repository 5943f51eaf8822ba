#pragma once

#include "catalog/SourceBrowser.h"
#include "http/Exchange.h"
#include "util/Error.h"

namespace strata {

/// The source browser of the context; Error(Internal) when it is not wired.
inline SourceBrowser& browserOf(Exchange& x) {
  if (!x.ctx.browser) throw Error(ErrorKind::Internal, "source browsing is not wired");
  return *x.ctx.browser;
}

}  // namespace strata
