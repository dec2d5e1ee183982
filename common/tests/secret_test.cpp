// SecretString keeps its value until cleared, compares in constant time, and wipes.
#include "kiosk/common/secret.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <stdexcept>

using kiosk::SecretString;

TEST(SecretString, HoldsAndComparesItsValue) {
    SecretString s("correct horse battery staple");
    EXPECT_EQ(s.view(), "correct horse battery staple");
    EXPECT_TRUE(s.equals("correct horse battery staple"));
    EXPECT_FALSE(s.equals("correct horse battery stapl"));
    EXPECT_FALSE(s.equals("Correct horse battery staple"));
}

TEST(SecretString, ClearWipesTheBufferItOwned) {
    SecretString s("a-long-secret-that-does-not-fit-in-sso-buffer");
    const char* buffer = s.str().data();
    const std::size_t size = s.size();
    s.clear();
    EXPECT_TRUE(s.empty());
    // The allocation is still owned by the (now empty) string, so reading it is defined.
    for (std::size_t i = 0; i < size; ++i) {
        ASSERT_EQ(buffer[i], '\0') << "byte " << i << " survived the wipe";
    }
}

TEST(SecretString, MoveLeavesTheSourceEmpty) {
    SecretString a("moving secret value 1234567890");
    SecretString b(std::move(a));
    EXPECT_EQ(b.view(), "moving secret value 1234567890");
    EXPECT_TRUE(a.empty()); // NOLINT(bugprone-use-after-move): the point of the test
}

TEST(SecureWipe, WipesStdStringCapacity) {
    std::string s = "short";
    const char* buffer = s.data();
    kiosk::secure_wipe(s);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(std::memcmp(buffer, "\0\0\0\0\0", 5), 0);
}

TEST(WipeOnExit, WipesEveryNamedStringWhenTheScopeIsLeftEvenByAnException) {
    std::string code = "123456";
    std::string token = "a-token-long-enough-to-live-outside-the-object";
    const char* code_buffer = code.data();
    const char* token_buffer = token.data();
    try {
        const kiosk::WipeOnExit wipe(code, token);
        throw std::runtime_error("the call failed");
    } catch (const std::runtime_error&) {
    }
    EXPECT_TRUE(code.empty());
    EXPECT_TRUE(token.empty());
    EXPECT_EQ(std::memcmp(code_buffer, "\0\0\0\0\0\0", 6), 0);
    EXPECT_EQ(token_buffer[0], '\0') << "the heap buffer was wiped before anyone freed it";
    EXPECT_EQ(token_buffer[10], '\0');
}
