// Round trips and failure cases of the API wire types' JSON form.
#include "kiosk/common/api.hpp"

#include <gtest/gtest.h>

using namespace kiosk::api;

TEST(ApiJson, StartVerificationRoundTrips) {
    StartVerificationResponse sent{"abc", 600, 6};
    const auto got = parse<StartVerificationResponse>(serialize(sent));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->challenge_id, "abc");
    EXPECT_EQ(got->expires_in_seconds, 600);
    EXPECT_EQ(got->code_length, 6);
}

TEST(ApiJson, MalformedBodyIsRefusedWithoutThrowing) {
    EXPECT_FALSE(parse<CheckCodeResponse>("{not json").has_value());
    EXPECT_FALSE(parse<CheckCodeResponse>("[]").has_value());
    EXPECT_FALSE(parse<CheckCodeResponse>("").has_value());
}

TEST(ApiJson, MissingOrWrongTypedFieldIsRefused) {
    EXPECT_FALSE(parse<CheckCodeResponse>(R"({"verification_token":"t"})").has_value());
    EXPECT_FALSE(
        parse<CheckCodeResponse>(R"({"verification_token":5,"expires_in_seconds":1})").has_value());
}

TEST(ApiJson, UnknownFieldsAreIgnored) {
    const auto got = parse<HealthResponse>(R"({"status":"ok","version":"1","extra":true})");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->status, "ok");
}

TEST(ApiJson, ErrorEnvelopeRoundTripsWithOptionalFields) {
    ApiError error{"wrong_code", "That code is not right.", 2, std::nullopt};
    const auto got = parse_error(error_body(error));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->code, "wrong_code");
    EXPECT_EQ(got->attempts_left, 2);
    EXPECT_FALSE(got->min_length.has_value());
    EXPECT_FALSE(parse_error(R"({"status":"ok"})").has_value());
}
