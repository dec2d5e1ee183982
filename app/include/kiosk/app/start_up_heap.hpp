// Huge pages for the memory the kiosk touches while it starts. The way to its first frame
// touches some 60 MB of fresh memory (Mesa's and LLVM's set-up, the font atlas, the first
// frame's buffers); with 4 KiB pages that is thousands of page faults, and on a virtual
// machine each costs about 10 µs. Where transparent huge pages are "madvise" (as on this
// project's Debian VMs), the heap only gets 2 MiB pages when the program asks for them.
// docs/PERFORMANCE.md has the measurements.
#pragma once

#include <cstddef>
#include <string>

namespace kiosk::app {

struct StartUpHeap {
    bool huge_pages_advised = false;
    std::size_t advised_bytes = 0;
    std::string why_not; // when not advised: what stood in the way
};

// Grows the heap once by `bytes` (reserved, not touched, so it costs no memory until used),
// asks the kernel for huge pages on it, and has every thread allocate from it, big blocks
// included. Call first thing in main, before any thread starts: which arena a thread uses is
// settled at its first allocation. Does nothing useful under a replacement allocator (the
// sanitizers' own), and says so in `why_not`.
StartUpHeap prepare_heap_for_start_up(std::size_t bytes = std::size_t{64} << 20);

} // namespace kiosk::app
