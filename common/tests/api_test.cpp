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

TEST(ApiJson, TicketFeedbackAndAuditTypesRoundTrip) {
    CreateTicketRequest ticket{
        std::nullopt, std::string("tok"), "password", "Cannot sign in", "email", "pl"};
    const auto t = parse<CreateTicketRequest>(serialize(ticket));
    ASSERT_TRUE(t.has_value());
    EXPECT_FALSE(t->identifier.has_value());
    EXPECT_EQ(t->verification_token, "tok");
    EXPECT_EQ(t->language, "pl");
    EXPECT_FALSE(parse<CreateTicketRequest>(R"({"category":"other"})").has_value());

    const auto f = parse<FeedbackRequest>(
        R"({"rating":4,"comment":"ok","flow":"reset","outcome":"completed"})");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->rating, 4);
    EXPECT_FALSE(f->kiosk_id.has_value());
    // A rating that is not an integer is refused rather than truncated.
    EXPECT_FALSE(parse<FeedbackRequest>(R"({"rating":4.5,"flow":"reset","outcome":"completed"})")
                     .has_value());
    EXPECT_FALSE(parse<FeedbackRequest>(R"({"rating":"4","flow":"reset","outcome":"completed"})")
                     .has_value());

    KioskAuditEvent event{"session_ended",         "anonymous",          "",
                          "2026-11-23T07:00:00Z",  std::string("reset"), std::string("code"),
                          std::string("abandoned")};
    const auto e = parse<KioskAuditEvent>(serialize(event));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->last_screen, "code");
    EXPECT_EQ(e->outcome, "abandoned");

    const auto view =
        parse<TicketView>(serialize(TicketView{"T-1", "open", "other", "a", "b", {}}));
    ASSERT_TRUE(view.has_value());
    EXPECT_FALSE(view->resolved_at.has_value());
}
