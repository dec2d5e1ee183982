// The keyboard-wedge detector: a reader's burst ending in Enter is a badge; a person's typing,
// a short burst, a pause inside a burst or an overlong one is not.
#include "kiosk/ui/badge_reader.hpp"

#include <gtest/gtest.h>

using kiosk::ui::BadgeReader;

namespace {

// Feeds `text` one key per frame `gap` seconds apart from `start`, then Enter `gap` later.
std::optional<std::string> keys(BadgeReader& reader, const std::string& text, double gap,
                                double start = 10.0) {
    double t = start;
    for (char c : text) {
        EXPECT_FALSE(reader.frame(std::string(1, c), false, t).has_value());
        t += gap;
    }
    return reader.frame("", true, t);
}

} // namespace

TEST(BadgeReader, AFastBurstEndingInEnterIsABadge) {
    BadgeReader reader;
    EXPECT_EQ(keys(reader, "E1001", 0.008), "E1001");
    EXPECT_EQ(reader.frame("0042", true, 20.0), "0042") << "a whole burst in one frame";
}

TEST(BadgeReader, APersonTypingIsNoBadge) {
    BadgeReader reader;
    EXPECT_FALSE(keys(reader, "jdoe", 0.120).has_value());
    EXPECT_FALSE(keys(reader, "E1001", 0.031).has_value()) << "just over 30 ms";
    EXPECT_FALSE(keys(reader, "E10", 0.005).has_value()) << "too short";
    EXPECT_FALSE(keys(reader, std::string(65, '7'), 0.002).has_value()) << "too long";
}

TEST(BadgeReader, APauseBeforeEnterOrInsideTheBurstBreaksIt) {
    BadgeReader reader;
    EXPECT_FALSE(reader.frame("E100", false, 1.0).has_value());
    EXPECT_FALSE(reader.frame("1", false, 1.2).has_value()) << "200 ms later: a new burst";
    EXPECT_FALSE(reader.frame("", true, 1.21).has_value()) << "only one key in the new burst";
    EXPECT_FALSE(reader.frame("E1001", false, 2.0).has_value());
    EXPECT_FALSE(reader.frame("", true, 2.5).has_value()) << "Enter came too late";
    EXPECT_EQ(keys(reader, "E1001", 0.010, 3.0), "E1001") << "and it works again after";
}
