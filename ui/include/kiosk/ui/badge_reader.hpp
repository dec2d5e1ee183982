// BadgeReader: tells a keyboard-wedge badge reader from a person typing. A reader "types" the
// badge's ID as a fast burst of keys, each under 30 ms after the last, ending in Enter; a
// person is several times slower. Fed once per frame with that frame's characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kiosk::ui {

class BadgeReader {
public:
    static constexpr double kMaxGapSeconds = 0.030; // between two keys of one burst
    static constexpr std::size_t kMinLength = 4;    // shorter bursts are not badges
    static constexpr std::size_t kMaxLength = 64;   // longer ones are refused, not kept

    // `typed`: the UTF-8 characters of this frame; `enter`: Enter went down this frame;
    // `now`: the frame's time in seconds. Returns the badge ID when this frame ended a burst.
    std::optional<std::string> frame(std::string_view typed, bool enter, double now);

    // Forgets a burst in progress (and wipes it: a badge ID is an identifier).
    void reset();

    ~BadgeReader() { reset(); }

private:
    std::string burst_;
    double last_key_ = -1.0;
    bool overflow_ = false;
};

} // namespace kiosk::ui
