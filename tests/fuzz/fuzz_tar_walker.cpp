// libFuzzer target: the tar header walker of the vzdump verifier (agent/vzdump/tar_walker.hpp),
// fed in pieces and whole. Invariants: no crash; the verdict does not depend on the cuts.
#include "agent/vzdump/tar_walker.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  agent::TarWalker whole, cut;
  whole.feed(data, size);
  fuzz::Chunks chunks(data, size);
  for (std::size_t off = 0; off < size;) {
    const std::size_t n = chunks.next(size - off);
    cut.feed(data + off, n);
    off += n;
  }
  fuzz::check(whole.complete() == cut.complete(), "tar verdict depends on chunking");
  fuzz::check(whole.finish_error() == cut.finish_error(), "tar error depends on chunking",
              whole.finish_error());
  fuzz::check(whole.entries() == cut.entries(), "tar entries depend on chunking");
  return 0;
}
