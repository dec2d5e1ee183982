// The on-screen keyboards' layouts as data: one table per language, rows of keys separated
// by spaces, in the order the keys have on the language's physical keyboard.
#include "kiosk/assets/keyboard_layouts.hpp"

#include "kiosk/assets/utf8.hpp"

#include <unordered_map>

namespace kiosk::assets {
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

// A US keyboard's keys, row by row from the left, unshifted and shifted: the positions the
// other layouts' keys are mapped to.
constexpr std::array<std::string_view, 4> kUsKeys{"`1234567890-", "qwertyuiop[]", "asdfghjkl;'",
                                                  "zxcvbnm,./"};
constexpr std::array<std::string_view, 4> kUsShiftedKeys{"~!@#$%^&*()_", "QWERTYUIOP{}",
                                                         "ASDFGHJKL:\"", "ZXCVBNM<>?"};

// Every non-ASCII character of the shipped layouts -> the US key typed at its place.
std::unordered_map<char32_t, char> build_us_key_map() {
    std::unordered_map<char32_t, char> map;
    const auto add = [&map](std::string_view key, char us_key) {
        std::size_t i = 0;
        const char32_t cp = next_code_point(key, i);
        if (cp >= 0x80 && i == key.size()) {
            map.emplace(cp, us_key);
        }
    };
    for (const auto& layout : kLayouts) {
        for (const auto& [rows, us] :
             {std::pair{layout.lower, kUsKeys}, std::pair{layout.upper, kUsShiftedKeys}}) {
            for (std::size_t row = 0; row < rows.size(); ++row) {
                const auto keys = split_keys(rows[row]);
                // Digit rows end at '-'; Russian's starts one key earlier, with ё on '`'.
                const std::size_t first =
                    row == 0 && keys.size() < us[0].size() ? us[0].size() - keys.size() : 0;
                for (std::size_t k = 0; k < keys.size() && first + k < us[row].size(); ++k) {
                    add(keys[k], us[row][first + k]);
                }
            }
        }
        for (const auto pairs : {layout.altgr_lower, layout.altgr_upper}) {
            for (const auto pair : split_keys(pairs)) {
                if (pair.size() > 1) {
                    add(pair.substr(1), pair[0]); // "lł": ł is typed with AltGr on L
                }
            }
        }
    }
    return map;
}

} // namespace

std::string as_typed_on_us_keys(std::string_view text) {
    static const std::unordered_map<char32_t, char> us_key_of = build_us_key_map();
    std::string typed;
    typed.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        const char32_t cp = next_code_point(text, i);
        if (const auto found = us_key_of.find(cp); found != us_key_of.end()) {
            typed.push_back(found->second);
        } else {
            typed.append(text.substr(start, i - start));
        }
    }
    return typed;
}

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

} // namespace kiosk::assets
