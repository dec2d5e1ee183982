// Argon2id hashing and the password policy's refusals, each with its stable code.
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/password_policy.hpp"

#include <gtest/gtest.h>

using namespace kiosk::central;

TEST(PasswordHash, VerifiesTheRightPasswordOnlyAndUsesOwaspParameters) {
    const std::string phc = hash_password("Seven-Purple-Elephants-Dance");
    EXPECT_EQ(phc.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << phc;
    EXPECT_TRUE(verify_password(phc, "Seven-Purple-Elephants-Dance"));
    EXPECT_FALSE(verify_password(phc, "Seven-Purple-Elephants-Danc"));
    EXPECT_FALSE(verify_password("not a phc string", "anything"));
    EXPECT_NE(hash_password("same"), hash_password("same")) << "salts must differ";
}

TEST(PasswordHash, LongPassphrasesAreNotTruncated) {
    const std::string long_one(200, 'x');
    const std::string phc = hash_password(long_one + "a");
    EXPECT_FALSE(verify_password(phc, long_one + "b"));
}

class PolicyTest : public ::testing::Test {
protected:
    PasswordPolicy policy{{15, 64}, {"passwordpassword", "correcthorsebatterystaple"}};
};

TEST_F(PolicyTest, TooShortSaysTheMinimum) {
    const auto refusal = policy.check("short", "jdoe");
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, "password_too_short");
    EXPECT_EQ(refusal->min_length, 15);
}

TEST_F(PolicyTest, LengthCountsCharactersNotBytes) {
    // 15 characters, 30 bytes in UTF-8: long enough.
    EXPECT_FALSE(policy.check("łłłłłżżżżżóóóóó", "jdoe").has_value());
    EXPECT_EQ(count_code_points("żółw"), 4u);
}

TEST_F(PolicyTest, TooLongIsRefused) {
    EXPECT_EQ(policy.check(std::string(65, 'q'), "jdoe")->code, "password_too_long");
}

TEST_F(PolicyTest, CommonPasswordsAreRefusedWhateverTheirCase) {
    EXPECT_EQ(policy.check("PasswordPassword", "jdoe")->code, "password_common");
}

TEST_F(PolicyTest, TheUsernameMayNotBeInside) {
    EXPECT_EQ(policy.check("my-name-is-JDOE-and-more", "jdoe")->code, "password_contains_username");
}

TEST_F(PolicyTest, APassphraseWithoutCompositionRulesIsAccepted) {
    EXPECT_FALSE(policy.check("seven purple elephants dance", "jdoe").has_value());
}

TEST(PolicyFile, TheShippedListLoads) {
    std::string error;
    auto policy = PasswordPolicy::load({}, PasswordPolicy::default_common_list(), error);
    ASSERT_TRUE(policy.has_value()) << error;
    EXPECT_EQ(policy->check("qwertyuiopasdfghjkl", "x")->code, "password_common");
    EXPECT_FALSE(PasswordPolicy::load({}, "/nonexistent", error).has_value());
}
