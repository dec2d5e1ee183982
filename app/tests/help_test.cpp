// The help screen's search rule: case-insensitive in every shipped language, every word
// must occur, in the question or the answer.
#include "kiosk/app/help.hpp"

#include <gtest/gtest.h>

using kiosk::app::faq_matches;
using kiosk::app::FaqEntry;
using kiosk::app::fold_case;

TEST(HelpSearch, FoldsTheCaseOfEveryShippedScript) {
    EXPECT_EQ(fold_case("Reset MY Password"), "reset my password");
    EXPECT_EQ(fold_case("ZAŻÓŁĆ GĘŚLĄ JAŹŃ"), "zażółć gęślą jaźń");
    EXPECT_EQ(fold_case("СБРОС ПАРОЛЯ Ёлка"), "сброс пароля ёлка");
    EXPECT_EQ(fold_case("סיסמה חדשה"), "סיסמה חדשה") << "Hebrew has no case: unchanged";
    EXPECT_EQ(fold_case("ÄÖÜ Ÿ"), "äöü ÿ");
}

TEST(HelpSearch, KeepsBytesThatAreNotUtf8) {
    const std::string broken = "AB\xC3(\xFF";
    EXPECT_EQ(fold_case(broken), "ab\xC3(\xFF");
}

TEST(HelpSearch, EveryWordMustOccurInTheQuestionOrTheAnswer) {
    const FaqEntry entry{"Moje konto jest zablokowane.", "Wybierz „Odblokuj moje konto”."};
    EXPECT_TRUE(faq_matches(entry, "KONTO"));
    EXPECT_TRUE(faq_matches(entry, "  zablok   odblokuj "));
    EXPECT_FALSE(faq_matches(entry, "konto hasło"));
    EXPECT_TRUE(faq_matches(entry, "")) << "no query shows everything";
    EXPECT_TRUE(faq_matches(entry, "   "));
}

TEST(HelpSearch, FindsRussianAndHebrewWithoutCase) {
    EXPECT_TRUE(faq_matches({"Мне не пришёл код.", "Проверьте папку «Спам»."}, "СПАМ"));
    EXPECT_FALSE(faq_matches({"Мне не пришёл код.", "Проверьте папку."}, "пароль"));
    EXPECT_TRUE(faq_matches({"לא קיבלתי את הקוד.", "בדקו בתיקיית הספאם."}, "קוד"));
}
