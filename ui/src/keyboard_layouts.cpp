// The on-screen keyboards' layouts as data: one table per language, rows of keys separated
// by spaces, in the order the keys have on the language's physical keyboard.
#include "kiosk/ui/keyboard.hpp"

namespace kiosk::ui {
namespace {

// - English: US QWERTY.
// - Polish: the "programmer's" layout (Polish users' usual one): QWERTY, and AltGr with a
//   letter types its diacritic form (AltGr+x is ź, since z gives ż).
// - Russian: ЙЦУКЕН, with ё left of 1 as on the physical keyboard.
// - Hebrew: the standard Israeli layout (SI 1452) in its physical positions: '/' and ''' on
//   Q and W, ף on ';'. Hebrew has no case, so its page has no Shift key.
// The digit row ends with '-' (passwords made of words use it a lot). The bottom row holds
// '@' and '.' for e-mail addresses on the Latin layouts, ',' and '.' on the others.
constexpr KeyboardLayout kLayouts[] = {
    {
        .id = "en",
        .switch_label = "EN",
        .letters_label = "ABC",
        .lower = {"1 2 3 4 5 6 7 8 9 0 -", "q w e r t y u i o p", "a s d f g h j k l",
                  "z x c v b n m"},
        .upper = {"1 2 3 4 5 6 7 8 9 0 -", "Q W E R T Y U I O P", "A S D F G H J K L",
                  "Z X C V B N M"},
        .bottom_left = "@",
        .bottom_right = ".",
        .altgr_lower = "",
        .altgr_upper = "",
        .altgr_label = "",
    },
    {
        .id = "pl",
        .switch_label = "PL",
        .letters_label = "ABC",
        .lower = {"1 2 3 4 5 6 7 8 9 0 -", "q w e r t y u i o p", "a s d f g h j k l",
                  "z x c v b n m"},
        .upper = {"1 2 3 4 5 6 7 8 9 0 -", "Q W E R T Y U I O P", "A S D F G H J K L",
                  "Z X C V B N M"},
        .bottom_left = "@",
        .bottom_right = ".",
        .altgr_lower = "aą cć eę lł nń oó sś zż xź",
        .altgr_upper = "AĄ CĆ EĘ LŁ NŃ OÓ SŚ ZŻ XŹ",
        .altgr_label = "ą ę",
    },
    {
        .id = "ru",
        .switch_label = "RU",
        .letters_label = "АБВ",
        .lower = {"ё 1 2 3 4 5 6 7 8 9 0 -", "й ц у к е н г ш щ з х ъ", "ф ы в а п р о л д ж э",
                  "я ч с м и т ь б ю"},
        .upper = {"Ё 1 2 3 4 5 6 7 8 9 0 -", "Й Ц У К Е Н Г Ш Щ З Х Ъ", "Ф Ы В А П Р О Л Д Ж Э",
                  "Я Ч С М И Т Ь Б Ю"},
        .bottom_left = ",",
        .bottom_right = ".",
        .altgr_lower = "",
        .altgr_upper = "",
        .altgr_label = "",
    },
    {
        .id = "he",
        .switch_label = "HE",
        .letters_label = "אבג",
        .lower = {"1 2 3 4 5 6 7 8 9 0 -", "/ ' ק ר א ט ו ן ם פ", "ש ד ג כ ע י ח ל ך ף",
                  "ז ס ב ה נ מ צ ת ץ"},
        .upper = {"", "", "", ""},
        .bottom_left = ",",
        .bottom_right = ".",
        .altgr_lower = "",
        .altgr_upper = "",
        .altgr_label = "",
    },
};

// The 30 printable ASCII characters that are neither letters nor digits nor '-' (digit
// row), '@' or '.' (bottom row): passwords need all of them to be typeable.
constexpr std::string_view kSymbolRows[] = {
    "! # $ % ^ & * ( )",
    "_ = + [ ] { } \\ | ~",
    "` ; : ' \" , < > / ?",
};

} // namespace

std::span<const KeyboardLayout> keyboard_layouts() {
    return kLayouts;
}

const KeyboardLayout& keyboard_layout(std::string_view language) {
    for (const auto& layout : kLayouts) {
        if (layout.id == language) {
            return layout;
        }
    }
    return kLayouts[0];
}

std::span<const std::string_view> symbol_rows() {
    return kSymbolRows;
}

std::vector<std::string_view> split_keys(std::string_view row) {
    std::vector<std::string_view> keys;
    while (!row.empty()) {
        const auto space = row.find(' ');
        keys.push_back(row.substr(0, space));
        if (space == std::string_view::npos) {
            break;
        }
        row.remove_prefix(space + 1);
    }
    return keys;
}

} // namespace kiosk::ui
