#pragma once

namespace strata {

class RouteTable;

/// Every route of the server, in one table (http/Routes.cpp).
const RouteTable& serverRoutes();

}  // namespace strata
