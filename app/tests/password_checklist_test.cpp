// [checklist] The password screen's live checklist and strength meter: code points, not
// bytes; Polish, Russian and Hebrew passwords; the username without case; what only the
// central can check is never ticked; zxcvbn's levels for known-weak and passphrase inputs.
#include "kiosk/app/password_checklist.hpp"
#include "kiosk/assets/keyboard_layouts.hpp"

#include <gtest/gtest.h>

namespace kiosk::app {
namespace {

PasswordPolicyView central_policy(int min_length, int history) {
    PasswordPolicyView policy;
    policy.known = true;
    policy.min_length = min_length;
    policy.history = history;
    return policy;
}

TEST(PasswordChecklist, CountsCodePointsNotBytes) {
    EXPECT_EQ(count_code_points("abc"), 3);
    EXPECT_EQ(count_code_points("zażółć"), 6);           // 10 bytes
    EXPECT_EQ(count_code_points("שלום"), 4);             // 8 bytes
    EXPECT_EQ(count_code_points("пароль"), 6);           // 12 bytes
    EXPECT_EQ(count_code_points("\xF0\x9F\x94\x91"), 1); // one emoji, 4 bytes
}

TEST(PasswordChecklist, LengthCountsCodePointsAgainstThePolicy) {
    const auto policy = central_policy(8, 0);
    // 7 Hebrew letters are 14 bytes: still too short for 8.
    const std::string seven = "אבגדהוז";
    auto list = check_password_live(seven, seven, "jdoe", policy, 15);
    EXPECT_EQ(list.length, 7);
    EXPECT_EQ(list.min_length, 8);
    EXPECT_EQ(list.long_enough, Check::NotMet);
    const std::string eight = "żółwiąść"; // 8 Polish letters, 14 bytes
    list = check_password_live(eight, eight, "jdoe", policy, 15);
    EXPECT_EQ(list.length, 8);
    EXPECT_EQ(list.long_enough, Check::Met);
    EXPECT_EQ(list.matches, Check::Met);
}

TEST(PasswordChecklist, FallsBackToTheKioskMinimumUntilTheCentralAnswers) {
    const PasswordPolicyView unknown; // known = false
    const auto list = check_password_live("twelve chars", "twelve chars", "", unknown, 12);
    EXPECT_EQ(list.min_length, 12);
    EXPECT_EQ(list.long_enough, Check::Met);
    EXPECT_EQ(check_password_live("eleven char", "", "", unknown, 12).long_enough, Check::NotMet);
    // The central's lines are shown, never ticked; history is unknown so not promised.
    EXPECT_TRUE(list.show_lists);
    EXPECT_EQ(list.lists, Check::Later);
    EXPECT_EQ(list.history, 0);
}

TEST(PasswordChecklist, TheTwoEntriesMatchOnlyWhenEqualAndTyped) {
    const auto policy = central_policy(4, 0);
    EXPECT_EQ(check_password_live("", "", "", policy, 15).matches, Check::NotMet);
    EXPECT_EQ(check_password_live("koń w łące", "koń w łąc", "", policy, 15).matches,
              Check::NotMet);
    EXPECT_EQ(check_password_live("koń w łące", "koń w łące", "", policy, 15).matches, Check::Met);
    EXPECT_EQ(check_password_live("Пароль", "пароль", "", policy, 15).matches, Check::NotMet);
}

TEST(PasswordChecklist, UsernameIsFoundWithoutCaseInEveryScript) {
    const auto policy = central_policy(4, 0);
    EXPECT_EQ(check_password_live("my JDoe garden", "", "jdoe", policy, 15).not_username,
              Check::NotMet);
    EXPECT_EQ(check_password_live("my garden gate", "", "jdoe", policy, 15).not_username,
              Check::Met);
    // An e-mail address counts by its part before '@'.
    EXPECT_EQ(
        check_password_live("JDOE rides again", "", "jdoe@example.com", policy, 15).not_username,
        Check::NotMet);
    EXPECT_EQ(check_password_live("ŁUKASZ ma kota", "", "łukasz", policy, 15).not_username,
              Check::NotMet);
    EXPECT_EQ(check_password_live("дом ИВАНОВ дом", "", "иванов", policy, 15).not_username,
              Check::NotMet);
    EXPECT_EQ(check_password_live("סיסמה של דוד כהן", "", "דוד", policy, 15).not_username,
              Check::NotMet);
    EXPECT_EQ(check_password_live("סיסמה של משה", "", "דוד", policy, 15).not_username, Check::Met);
    // Nothing typed: no tick for free. A name under 3 characters is left to the central.
    EXPECT_EQ(check_password_live("", "", "jdoe", policy, 15).not_username, Check::NotMet);
    EXPECT_EQ(check_password_live("ab cd", "", "ab", policy, 15).not_username, Check::Later);
}

TEST(PasswordChecklist, ContainsWithoutCaseMakesNoFalseMatchAcrossCodePoints) {
    EXPECT_TRUE(contains_without_case("xxŻÓŁWxx", "żółw"));
    EXPECT_FALSE(contains_without_case("xxżółxx", "żółw"));
    EXPECT_FALSE(contains_without_case("anything", ""));
    EXPECT_FALSE(contains_without_case("ab", "abc"));
}

TEST(PasswordChecklist, CentralOnlyLinesFollowThePublishedPolicy) {
    auto policy = central_policy(15, 5);
    auto list = check_password_live("x", "x", "jdoe", policy, 15);
    EXPECT_TRUE(list.show_lists);
    EXPECT_EQ(list.history, 5);
    EXPECT_EQ(list.reused, Check::Later);
    policy.common = false;
    policy.breached = false;
    policy.history = 0;
    list = check_password_live("x", "x", "jdoe", policy, 15);
    EXPECT_FALSE(list.show_lists);
    EXPECT_EQ(list.history, 0);
}

TEST(PasswordChecklist, TooLongIsACross) {
    auto policy = central_policy(4, 0);
    policy.max_length = 10;
    EXPECT_EQ(check_password_live("elevenchars", "", "", policy, 15).not_too_long, Check::NotMet);
    EXPECT_EQ(check_password_live("tenchars!!", "", "", policy, 15).not_too_long, Check::Met);
}

TEST(PasswordStrength, KnownWeakPasswordsRateWeak) {
    EXPECT_EQ(estimate_strength("", "jdoe").level, Strength::Empty);
    for (const char* weak : {"Password123!", "password", "qwertyuiopasdfgh", "aaaaaaaaaaaaaaaa",
                             "Summer2024!Summer"}) {
        EXPECT_EQ(estimate_strength(weak, "jdoe").level, Strength::Weak) << weak;
    }
}

TEST(PasswordStrength, PassphrasesOfSeveralWordsRateWell) {
    for (const char* phrase : {"correct horse battery staple", "kolorowy parasol nad morzem",
                               "koń jedzie po łące zielonej", "שלום עולם ירושלים"}) {
        EXPECT_GE(estimate_strength(phrase, "jdoe").level, Strength::Good) << phrase;
    }
    EXPECT_EQ(estimate_strength("correct horse battery staple", "").level, Strength::Strong);
}

// libzxcvbn counts bytes and knows only Latin words and keyboards: scored raw, "пароль"
// ("password" in Russian) was worth 80 bits, "Strong". Scored as the keys it was typed on.
TEST(PasswordStrength, NonLatinPasswordsAreScoredByTheKeysTheyWereTypedOn) {
    for (const char* weak : {"пароль", "йцукен123", "שלוםשלום", "hasło123"}) {
        EXPECT_EQ(estimate_strength(weak, "").level, Strength::Weak) << weak;
    }
    EXPECT_EQ(estimate_strength("йцукен", "").bits, estimate_strength("qwerty", "").bits)
        << "the top row of the Russian keyboard is the top row";
    EXPECT_EQ(estimate_strength("שלום", "").bits, estimate_strength("akuo", "").bits);
    EXPECT_GE(estimate_strength("кот собака дом лес", "").level, Strength::Good)
        << "a passphrase of words is still worth something";
}

TEST(AsTypedOnUsKeys, MapsEachShippedLayoutsLettersToTheirKeys) {
    EXPECT_EQ(assets::as_typed_on_us_keys("Пароль"), "Gfhjkm");
    EXPECT_EQ(assets::as_typed_on_us_keys("ёЁхъжэбю"), "`~[];',.");
    EXPECT_EQ(assets::as_typed_on_us_keys("שלום/"), "akuo/");
    EXPECT_EQ(assets::as_typed_on_us_keys("Źdźbło"), "Xdxblo") << "AltGr+X types ź";
    EXPECT_EQ(assets::as_typed_on_us_keys("plain ASCII 123"), "plain ASCII 123");
    EXPECT_EQ(assets::as_typed_on_us_keys("日本"), "日本") << "other scripts stay as they are";
}

TEST(PasswordStrength, TheUsernameCountsAsAKnownWord) {
    // zxcvbn's user dictionary: the username repeated is as weak as a dictionary word.
    const auto with_name = estimate_strength("zyxwquvjdoezyxwquvjdoe", "zyxwquvjdoe");
    const auto without = estimate_strength("zyxwquvjdoezyxwquvjdoe", "");
    EXPECT_LT(with_name.bits, without.bits);
    EXPECT_GT(without.bits, 0);
}

TEST(PasswordStrength, LevelsRiseWithTheEstimate) {
    const auto weak = estimate_strength("Password123!", "");
    const auto strong = estimate_strength("ZuQ7pWx3rTy9LmN2", "");
    EXPECT_LT(weak.bits, strong.bits);
    EXPECT_LT(weak.level, strong.level);
    EXPECT_EQ(strong.level, Strength::Strong);
}

} // namespace
} // namespace kiosk::app
