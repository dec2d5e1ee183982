// The keyboard-wedge burst detector (see the header). Times are the frames' times: the loop
// wakes on every input event, so a frame's time is its keys' time to within a frame.
#include "kiosk/ui/badge_reader.hpp"

#include "kiosk/common/secret.hpp"

namespace kiosk::ui {

std::optional<std::string> BadgeReader::frame(std::string_view typed, bool enter, double now) {
    const bool in_time = last_key_ >= 0.0 && now - last_key_ <= kMaxGapSeconds;
    if (!in_time && (!typed.empty() || enter || !burst_.empty())) {
        reset(); // too slow to be a reader: a person typed this, or the burst ended
    }
    if (!typed.empty()) {
        if (burst_.size() + typed.size() > kMaxLength) {
            overflow_ = true;
        } else {
            burst_.append(typed);
        }
        last_key_ = now;
    }
    if (!enter) {
        return std::nullopt;
    }
    std::optional<std::string> badge;
    if (!overflow_ && burst_.size() >= kMinLength && last_key_ >= 0.0 &&
        now - last_key_ <= kMaxGapSeconds) {
        badge = burst_;
    }
    reset();
    return badge;
}

void BadgeReader::reset() {
    secure_wipe(burst_);
    burst_.clear();
    last_key_ = -1.0;
    overflow_ = false;
}

} // namespace kiosk::ui
