// RFC 3339: the forms documents use parse to the right instant; near misses are refused.
#include "kiosk/config/rfc3339.hpp"

#include <gtest/gtest.h>

using kiosk::config::format_rfc3339;
using kiosk::config::parse_rfc3339;

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
    const auto utc = parse_rfc3339("2026-11-23T10:00:00Z");
    ASSERT_TRUE(utc.has_value());
    EXPECT_EQ(format_rfc3339(*utc), "2026-11-23T10:00:00Z");
    EXPECT_EQ(parse_rfc3339("2026-11-23T12:00:00+02:00"), utc);
    EXPECT_EQ(parse_rfc3339("2026-11-23T05:30:00-04:30"), utc);
    EXPECT_EQ(parse_rfc3339("2026-11-23t10:00:00.999z"), utc);
    EXPECT_EQ(std::chrono::system_clock::to_time_t(*parse_rfc3339("1970-01-01T00:00:00Z")), 0);
    EXPECT_TRUE(parse_rfc3339("2028-02-29T00:00:00Z").has_value());
}

TEST(Rfc3339, RefusesNearMisses) {
    for (const char* bad :
         {"2026-11-23", "2026-11-23T10:00Z", "2026-11-23 10:00:00Z", "2026-11-23T10:00:00",
          "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-23T24:00:00Z",
          "2026-11-23T10:00:60Z", "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+0200",
          "2026-11-23T10:00:00Zjunk", "１２３４-11-23T10:00:00Z", ""}) {
        EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
    }
}
