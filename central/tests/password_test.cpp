// Argon2id hashing and the password policy's refusals, each with its stable code.
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/password_policy.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

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

// --- NIST SP 800-63B details: length without truncation, NFKC, breached list, context -----

TEST(PolicyDefaults, PassphrasesOf64AndMoreCharactersAreAccepted) {
    std::string error;
    auto policy = PasswordPolicy::load({}, PasswordPolicy::default_common_list(), error);
    ASSERT_TRUE(policy) << error;
    const std::string long_one = "a-very-long-passphrase-that-keeps-going-past-sixty-four-"
                                 "characters-without-end";
    ASSERT_GT(long_one.size(), 64u);
    EXPECT_FALSE(policy->check(long_one, "jdoe").has_value());
    EXPECT_FALSE(policy->check(std::string(256, 'k'), "jdoe").has_value());
    // What is hashed is all of it: a different last character does not verify.
    const std::string phc = hash_password(long_one);
    EXPECT_TRUE(verify_password(phc, long_one));
    EXPECT_FALSE(verify_password(phc, long_one.substr(0, long_one.size() - 1) + "X"));
}

TEST(Normalisation, TheSamePasswordTypedAnotherWayVerifies) {
    const std::string precomposed = "caf\xC3\xA9-au-lait-du-matin"; // é as U+00E9
    const std::string decomposed = "cafe\xCC\x81-au-lait-du-matin"; // e + U+0301
    const std::string full_width =
        "\xEF\xBC\xB0\xEF\xBC\xA1\xEF\xBC\xB3\xEF\xBC\xB3-12345"; // ＰＡＳＳ
    EXPECT_EQ(normalise_password(decomposed), precomposed);
    EXPECT_EQ(normalise_password(full_width), "PASS-12345");
    EXPECT_EQ(normalise_password(std::string("\xFF\xFEnot utf-8")), "\xFF\xFEnot utf-8");
    const std::string phc = hash_password(decomposed);
    EXPECT_TRUE(verify_password(phc, precomposed));
    // Length is counted after normalisation: 15 decomposed code points are 14 characters.
    PasswordPolicy policy{{15, 64}, {}};
    EXPECT_EQ(policy
                  .check("e\xCC\x81"
                         "e\xCC\x81"
                         "e\xCC\x81"
                         "abcdefghijk",
                         "")
                  ->code,
              "password_too_short");
}

TEST(BreachedFile, ListedPasswordsAreRefusedAndTheFileIsSearchedNotLoaded) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("kiosk-breached-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    // Thousands of lines, sorted like the Have I Been Pwned download, with two real ones.
    std::vector<std::string> lines;
    for (int i = 0; i < 5000; ++i) {
        char hash[48];
        std::snprintf(hash, sizeof hash, "%08X%032X", static_cast<unsigned>(i) * 858993u, i);
        lines.push_back(std::string(hash).substr(0, 40) + ":" + std::to_string(i % 97 + 1));
    }
    const auto sha1 = [](const std::string& text) {
        // openssl's command line, so the test does not reuse the code under test.
        const std::string command = "printf '%s' '" + text + "' | openssl sha1 -r";
        FILE* pipe = popen(command.c_str(), "r");
        char out[128] = {};
        EXPECT_NE(fgets(out, sizeof out, pipe), nullptr);
        pclose(pipe);
        std::string hex(out, 40);
        for (char& c : hex) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        return hex;
    };
    lines.push_back(sha1("Summer-Holiday-In-Krakow-2019") + ":41");
    lines.push_back(sha1("caf\xC3\xA9-au-lait-du-matin") + ":2");
    std::sort(lines.begin(), lines.end());
    {
        std::ofstream out(dir / "pwned.txt");
        for (const auto& line : lines) {
            out << line << "\r\n"; // the download's line ends
        }
    }
    PasswordPolicy policy{{15, 256}, {}};
    std::string error;
    ASSERT_TRUE(policy.use_breached_file(dir / "pwned.txt", error)) << error;
    EXPECT_EQ(policy.check("Summer-Holiday-In-Krakow-2019", "jdoe")->code, "password_breached");
    // Listed in NFC, typed decomposed: still found.
    EXPECT_EQ(policy.check("cafe\xCC\x81-au-lait-du-matin", "jdoe")->code, "password_breached");
    EXPECT_FALSE(policy.check("Summer-Holiday-In-Krakow-2020", "jdoe").has_value());
    EXPECT_FALSE(policy.check(lines.front().substr(0, 40), "jdoe").has_value())
        << "a hash is not the password";

    std::ofstream(dir / "bad.txt") << "password123\n";
    EXPECT_FALSE(policy.use_breached_file(dir / "bad.txt", error));
    EXPECT_NE(error.find("not a breached-password file"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(ContextWords, NameEmailAndOrganisationAreRefusedWhateverTheirCase) {
    PasswordPolicy policy{{15, 256}, {}};
    policy.set_organisation("Łódzka Spółdzielnia Mleczarska");
    const PolicyContext maria{"mkowalska", "Maria Kowalska", "maria.kowalska@example.com"};
    EXPECT_EQ(policy.check("KOWALSKA-forever-and-ever", maria)->code, "password_contains_name");
    EXPECT_EQ(policy.check("hello-Maria-how-are-you", maria)->code, "password_contains_name");
    EXPECT_EQ(policy.check("my-MKOWALSKA-passphrase", maria)->code, "password_contains_username");
    // Unicode case folding: "SPÓŁDZIELNIA" contains the organisation's word "spółdzielnia".
    EXPECT_EQ(policy.check("nasza-SPÓŁDZIELNIA-jest-super", maria)->code,
              "password_contains_organisation");
    EXPECT_FALSE(policy.check("seven purple elephants dance", maria).has_value());
    // Short name parts (under 4 characters) are not refused: "Doe" is in too many words.
    EXPECT_FALSE(policy.check("doesnt-matter-what-you-say", {"jdoe", "Jane Doe", ""}).has_value());
}
