// Huge pages for the heap the kiosk grows on its way to the first frame (see the header).
#include "kiosk/app/start_up_heap.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace kiosk::app {

namespace {

constexpr std::uintptr_t huge_page_size = std::uintptr_t{2} << 20;

std::uintptr_t program_break() {
    return reinterpret_cast<std::uintptr_t>(sbrk(0));
}

} // namespace

StartUpHeap prepare_heap_for_start_up(std::size_t bytes) {
    StartUpHeap result;
    // One heap for every thread (llvmpipe's rasterizers and the font builder included), so
    // what they allocate lands in the advised range too; blocks up to 32 MiB (framebuffer-
    // sized ones) come from it instead of an mmap of their own; and it grows in one step.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TOP_PAD, static_cast<int>(bytes));

    const std::uintptr_t before = program_break();
    // A block larger than what the heap has free makes malloc extend it by the block plus
    // M_TOP_PAD. The block is freed only after the advice: freeing it first trims it off the
    // heap, and the range it leaves is grown back later without the advice.
    void* volatile growth = std::malloc(std::size_t{1} << 20);
    const std::uintptr_t after = program_break();
    if (growth == nullptr || after <= before + bytes / 2) {
        std::free(growth);
        result.why_not = "the allocator did not grow the program break (not glibc's malloc?)";
        return result;
    }
    const std::uintptr_t start = (before + huge_page_size - 1) & ~(huge_page_size - 1);
    if (madvise(reinterpret_cast<void*>(start), after - start, MADV_HUGEPAGE) != 0) {
        result.why_not = std::string("madvise(MADV_HUGEPAGE): ") + std::strerror(errno);
    } else {
        result.huge_pages_advised = true;
        result.advised_bytes = after - start;
    }
    std::free(growth);
    return result;
}

} // namespace kiosk::app
