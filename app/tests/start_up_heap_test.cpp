// The start-up heap: reserved in one step, advised for huge pages, and used by every thread
// and for big blocks, checked against what the kernel reports in /proc/self/smaps.
#include "kiosk/app/start_up_heap.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool replacement_allocator = true; // ASan's malloc has no program break to grow
#else
constexpr bool replacement_allocator = false;
#endif

struct Mapping {
    std::string name;           // "[heap]", a file, or empty for anonymous memory
    bool huge_pages_eligible{}; // smaps' THPeligible
};

// The mapping of this process that holds `address`, as /proc/self/smaps describes it.
std::optional<Mapping> mapping_of(const void* address) {
    const auto wanted = reinterpret_cast<std::uintptr_t>(address);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    std::optional<Mapping> found;
    while (std::getline(smaps, line)) {
        std::uintptr_t low = 0;
        std::uintptr_t high = 0;
        char dash = 0;
        std::istringstream header(line);
        if (header >> std::hex >> low >> dash >> high && dash == '-') {
            if (found) {
                return found; // the next mapping's header: the one found has no THPeligible
            }
            if (low <= wanted && wanted < high) {
                std::string permissions, offset, device, inode, name;
                header >> permissions >> offset >> device >> inode >> name;
                found = Mapping{name, false};
            }
        } else if (found && line.starts_with("THPeligible:")) {
            found->huge_pages_eligible = line.find('1') != std::string::npos;
            return found;
        }
    }
    return found;
}

bool transparent_huge_pages_enabled() {
    std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string text;
    std::getline(mode, text);
    return !text.empty() && text.find("[never]") == std::string::npos;
}

} // namespace

TEST(StartUpHeap, BigBlocksAndOtherThreadsUseTheAdvisedHeap) {
    const auto heap = kiosk::app::prepare_heap_for_start_up();
    if (replacement_allocator) {
        EXPECT_FALSE(heap.huge_pages_advised);
        EXPECT_NE(heap.why_not.find("program break"), std::string::npos) << heap.why_not;
        return;
    }
    ASSERT_TRUE(heap.huge_pages_advised) << heap.why_not;
    EXPECT_GE(heap.advised_bytes, std::size_t{60} << 20);

    // 4 MiB would get an mmap of its own under malloc's defaults (anything over 128 KiB).
    constexpr std::size_t big_block_size = std::size_t{4} << 20;
    auto* big_block = static_cast<char*>(std::malloc(big_block_size));
    ASSERT_NE(big_block, nullptr);
    // Its end: the heap below the first 2 MiB boundary of the reserved range is not advised.
    const auto big_block_mapping = mapping_of(big_block + big_block_size - 1);
    ASSERT_TRUE(big_block_mapping);
    EXPECT_EQ(big_block_mapping->name, "[heap]");
    EXPECT_EQ(big_block_mapping->huge_pages_eligible, transparent_huge_pages_enabled());

    // Without M_ARENA_MAX a new thread would allocate from an arena of its own (an mmap).
    void* thread_block = nullptr;
    std::thread([&thread_block] { thread_block = std::malloc(std::size_t{64} << 10); }).join();
    ASSERT_NE(thread_block, nullptr);
    const auto thread_block_mapping = mapping_of(thread_block);
    ASSERT_TRUE(thread_block_mapping);
    EXPECT_EQ(thread_block_mapping->name, "[heap]");
    std::free(thread_block);
    std::free(big_block);
}
