#pragma once

namespace strata {

/// Network timeouts of every libgit2 connection (git://, http(s)://, ssh://).
/// libgit2 1.5 connects and reads without a timeout, so a server that accepts
/// a connection and then says nothing (or a host that drops packets) would
/// block a fetch, and every request waiting for it, forever.
struct GitNetworkTimeouts {
  int connectMillis = 10000;  ///< establishing the TCP connection, per address
  int ioMillis = 60000;       ///< waiting for any byte to read, or room to write
};

/// Registers (again: libgit2 forgets registrations when its last user shuts it
/// down) Strata's plain socket stream with libgit2: the same as libgit2's own,
/// with the timeouts above. TLS runs on top of it; its layout matches
/// libgit2's socket stream, whose file descriptor the ssh transport reads.
/// Call after git_libgit2_init().
void installGitSocketStream();

/// Changes the timeouts of connections opened from now on (tests use short ones).
void setGitNetworkTimeouts(GitNetworkTimeouts timeouts);
GitNetworkTimeouts gitNetworkTimeouts();

}  // namespace strata
