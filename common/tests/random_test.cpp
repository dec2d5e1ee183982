// CSPRNG helpers: right shapes, no repeats, and SHA-256 against a known vector.
#include "kiosk/common/random.hpp"

#include <algorithm>
#include <array>
#include <gtest/gtest.h>
#include <set>

TEST(Random, DigitsHaveTheRequestedLengthAndAreAllDigits) {
    const std::string code = kiosk::random_digits(8);
    EXPECT_EQ(code.size(), 8u);
    EXPECT_TRUE(std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

TEST(Random, DigitsCoverEveryValue) {
    std::array<int, 10> seen{};
    const std::string many = kiosk::random_digits(2000);
    for (char c : many) {
        ++seen[static_cast<std::size_t>(c - '0')];
    }
    for (int count : seen) {
        EXPECT_GT(count, 100); // expected 200 each; a biased generator would starve some
    }
}

TEST(Random, TokensAreUrlSafeAndDoNotRepeat) {
    std::set<std::string> tokens;
    for (int i = 0; i < 100; ++i) {
        const std::string token = kiosk::random_token(32);
        EXPECT_EQ(token.size(), 43u);
        EXPECT_EQ(token.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        tokens.insert(token);
    }
    EXPECT_EQ(tokens.size(), 100u);
}

TEST(Random, ReferencesAvoidLookAlikes) {
    const std::string ref = kiosk::random_reference(200);
    EXPECT_EQ(ref.find_first_of("01IO"), std::string::npos);
}

TEST(Sha256, MatchesTheStandardTestVector) {
    EXPECT_EQ(kiosk::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
