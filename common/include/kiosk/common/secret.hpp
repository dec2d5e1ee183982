// SecretString: a string for passwords, codes and tokens that wipes its memory when it
// is cleared, overwritten or destroyed, and never grows by reallocation (which would
// leave an unwiped copy behind).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace kiosk {

// Overwrites `size` bytes at `data` in a way the optimiser cannot remove.
void secure_wipe(void* data, std::size_t size) noexcept;

// Wipes the whole capacity of `s` (not only its size) and empties it.
void secure_wipe(std::string& s) noexcept;

// Overwrites the next kStackWipeBytes of the calling thread's stack below the caller's frame:
// what a finished call (libcurl, OpenSSL, a JSON parser) left in its locals. Worker threads
// call it after each job, so no piece of a request's secret waits there for the next one.
inline constexpr std::size_t kStackWipeBytes = 256 * 1024;
void wipe_stack() noexcept;

// Wipes the strings it names when it goes out of scope, however the scope is left: a
// request body's copies of a password, code or token, once its call has returned.
template <std::size_t N> class WipeOnExit {
public:
    template <typename... Strings>
    explicit WipeOnExit(Strings&... strings) noexcept : strings_{&strings...} {}
    ~WipeOnExit() {
        for (std::string* s : strings_) {
            secure_wipe(*s);
        }
    }
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;

private:
    std::array<std::string*, N> strings_;
};
template <typename... Strings> WipeOnExit(Strings&...) -> WipeOnExit<sizeof...(Strings)>;

class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string_view value);
    SecretString(const SecretString& other);
    SecretString& operator=(const SecretString& other);
    SecretString(SecretString&& other) noexcept;
    SecretString& operator=(SecretString&& other) noexcept;
    ~SecretString();

    void assign(std::string_view value);
    void clear() noexcept;

    [[nodiscard]] std::string_view view() const noexcept { return value_; }
    [[nodiscard]] const std::string& str() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return value_.size(); }

    // Constant-time comparison, for codes and tokens.
    [[nodiscard]] bool equals(std::string_view other) const noexcept;

private:
    std::string value_;
};

} // namespace kiosk
