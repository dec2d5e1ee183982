// Wipe on free for the whole kiosk process: every block handed back to malloc is overwritten
// first, whoever freed it (libcurl, OpenSSL, libqrencode, nlohmann's lexer, std::string), so
// a copy of a secret made inside a library we cannot change is gone once that library lets
// go of it. docs/internals/net.md ("Secrets in memory") says who wipes what, and when.
//
// Linked into the kiosk executable only, where ELF symbol interposition makes these the
// `free` and `realloc` of every library in the process; glibc's own entry points do the
// work. Not under AddressSanitizer, whose allocator these would bypass (and whose quarantine
// keeps freed blocks anyway): the memory scan runs in the regular build.
#if !defined(__SANITIZE_ADDRESS__)

#include <cstddef>
#include <cstring>
#include <malloc.h>
#include <string.h>

extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* block);

// explicit_bzero: the compiler may not drop the stores before the free that follows.
void free(void* block) {
    if (block != nullptr) {
        explicit_bzero(block, malloc_usable_size(block));
    }
    __libc_free(block);
}

// glibc's realloc releases a moved block internally, past `free` above: this one moves by
// hand so the old block is wiped. A block big enough already is kept (no copy at all).
void* realloc(void* block, std::size_t size) {
    if (block == nullptr) {
        return __libc_malloc(size);
    }
    if (size == 0) {
        free(block);
        return nullptr;
    }
    const std::size_t usable = malloc_usable_size(block);
    if (size <= usable) {
        return block;
    }
    void* grown = __libc_malloc(size);
    if (grown == nullptr) {
        return nullptr; // the old block stays valid, as realloc promises
    }
    std::memcpy(grown, block, usable);
    free(block);
    return grown;
}
}

#endif
