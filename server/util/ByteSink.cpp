#include "util/ByteSink.h"

#include "util/Sha256.h"

namespace strata {

HashingSink::HashingSink(ByteSink& next) : next_(next), sha_(new Sha256()) {}

HashingSink::~HashingSink() {
  delete static_cast<Sha256*>(sha_);
}

void HashingSink::write(const char* data, std::size_t size) {
  static_cast<Sha256*>(sha_)->update(data, size);
  bytes_ += size;
  next_.write(data, size);
}

void HashingSink::finish() {
  hex_ = static_cast<Sha256*>(sha_)->hexDigest();
  next_.finish();
}

}  // namespace strata
