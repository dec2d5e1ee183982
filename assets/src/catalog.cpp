// A reader for the subset of the gettext .po format the catalogs use: comments, msgctxt,
// msgid and msgstr with continuation lines and C escapes. Plural entries come with the
// languages work; an entry with an empty msgstr counts as missing, as gettext does.
#include "kiosk/assets/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace kiosk::assets {
namespace {

// Reads a "quoted string" with C escapes; returns false when it is not one.
bool unquote(std::string_view text, std::string& out) {
    const auto open = text.find('"');
    const auto close = text.rfind('"');
    if (open == std::string_view::npos || close == open) {
        return false;
    }
    out.clear();
    for (std::size_t i = open + 1; i < close; ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < close) {
            const char next = text[++i];
            c = next == 'n' ? '\n' : next == 't' ? '\t' : next;
        }
        out.push_back(c);
    }
    return true;
}

} // namespace

std::filesystem::path assets_dir() {
    if (const char* dir = std::getenv("KIOSK_ASSETS_DIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return KIOSK_ASSETS_SOURCE_DIR;
}

int plural_form_count(std::string_view language) {
    if (language == "en") {
        return 2;
    }
    if (language == "pl" || language == "ru" || language == "he") {
        return 3;
    }
    return 0;
}

int plural_index(std::string_view language, long n) {
    const long last = n % 10;
    const long last_two = n % 100;
    const bool few = last >= 2 && last <= 4 && (last_two < 10 || last_two >= 20);
    if (language == "pl") {
        return n == 1 ? 0 : few ? 1 : 2;
    }
    if (language == "ru") {
        return last == 1 && last_two != 11 ? 0 : few ? 1 : 2;
    }
    if (language == "he") {
        return n == 1 ? 0 : n == 2 ? 1 : 2;
    }
    return n == 1 ? 0 : 1;
}

std::string substitute(std::string out, const Placeholders& values) {
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + std::string(name) + "}";
        for (auto pos = out.find(placeholder); pos != std::string::npos;
             pos = out.find(placeholder, pos + value.size())) {
            out.replace(pos, placeholder.size(), value);
        }
    }
    return out;
}

std::optional<Catalog> Catalog::load(const std::filesystem::path& po_file, std::string& error) {
    std::ifstream in(po_file);
    if (!in) {
        error = "cannot open " + po_file.string();
        return std::nullopt;
    }
    Catalog catalog;
    enum class Field { None, Id, IdPlural, Str } field = Field::None;
    std::string id;
    bool has_plural = false;
    std::vector<std::string> forms;
    std::string* target = nullptr;
    std::string ignored;
    auto flush = [&] {
        if (id.empty() && !forms.empty()) {
            // The header entry: "Language: xx\n" picks the plural rule.
            const auto pos = forms[0].find("Language: ");
            if (pos != std::string::npos) {
                const auto end = forms[0].find('\n', pos);
                catalog.language_ = forms[0].substr(pos + 10, end - pos - 10);
            }
        }
        const bool complete =
            !forms.empty() &&
            std::none_of(forms.begin(), forms.end(), [](const auto& f) { return f.empty(); });
        if (!id.empty() && complete) {
            catalog.entries_[id] = forms;
            catalog.plural_[id] = has_plural;
        }
        id.clear();
        forms.clear();
        has_plural = false;
        field = Field::None;
        target = nullptr;
    };
    auto fail = [&](int number, const char* what) {
        error = po_file.string() + ":" + std::to_string(number) + ": " + what;
        return std::nullopt;
    };
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view view(line);
        while (!view.empty() && (view.back() == '\r' || view.back() == ' ')) {
            view.remove_suffix(1);
        }
        if (view.empty() || view.front() == '#' || view.starts_with("msgctxt ")) {
            continue; // contexts are not used: keys are unique on their own
        }
        std::string piece;
        if (view.starts_with("msgid ")) {
            if (field == Field::Str) {
                flush();
            }
            field = Field::Id;
            if (!unquote(view.substr(6), id)) {
                return fail(number, "bad msgid");
            }
            target = &id;
        } else if (view.starts_with("msgid_plural ")) {
            field = Field::IdPlural;
            has_plural = true;
            if (!unquote(view.substr(13), ignored)) {
                return fail(number, "bad msgid_plural");
            }
            target = &ignored;
        } else if (view.starts_with("msgstr ")) {
            field = Field::Str;
            forms.emplace_back();
            if (!unquote(view.substr(7), forms.back())) {
                return fail(number, "bad msgstr");
            }
            target = &forms.back();
        } else if (view.starts_with("msgstr[")) {
            const auto close = view.find(']');
            if (close == std::string_view::npos ||
                std::to_string(forms.size()) != view.substr(7, close - 7)) {
                return fail(number, "msgstr[N] out of order");
            }
            field = Field::Str;
            forms.emplace_back();
            if (!unquote(view.substr(close + 1), forms.back())) {
                return fail(number, "bad msgstr[N]");
            }
            target = &forms.back();
        } else if (view.front() == '"' && target != nullptr && unquote(view, piece)) {
            *target += piece;
        } else {
            return fail(number, "cannot read this line");
        }
    }
    flush();
    if (plural_form_count(catalog.language_) == 0) {
        error = po_file.string() + ": no plural rule for language '" + catalog.language_ + "'";
        return std::nullopt;
    }
    return catalog;
}

std::optional<Catalog> Catalog::load_language(std::string_view language, std::string& error) {
    return load(assets_dir() / "i18n" / (std::string(language) + ".po"), error);
}

std::string Catalog::text(std::string_view key) const {
    if (auto it = entries_.find(key); it != entries_.end()) {
        return it->second.front();
    }
    return std::string(key);
}

std::string Catalog::format(std::string_view key, const Placeholders& values) const {
    return substitute(text(key), values);
}

std::string Catalog::plural(std::string_view key, long n, const Placeholders& values) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return std::string(key);
    }
    const auto index = static_cast<std::size_t>(plural_index(language_, n));
    const std::string& form = it->second.at(std::min(index, it->second.size() - 1));
    Placeholders all = values;
    all.emplace_back("n", std::to_string(n));
    return substitute(form, all);
}

bool Catalog::contains(std::string_view key) const {
    return entries_.contains(key);
}

bool Catalog::is_plural(std::string_view key) const {
    auto it = plural_.find(key);
    return it != plural_.end() && it->second;
}

std::size_t Catalog::form_count(std::string_view key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.size();
}

std::vector<std::string> Catalog::keys() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [key, value] : entries_) {
        out.push_back(key);
    }
    return out;
}

bool is_right_to_left(std::string_view language) {
    return language == "he";
}

std::string format_date_time(const Catalog& catalog, std::string_view rfc3339) {
    // YYYY-MM-DDTHH:MM..., digits where digits belong.
    const auto digits = [&](std::size_t from, std::size_t count) {
        return rfc3339.size() >= from + count &&
               rfc3339.substr(from, count).find_first_not_of("0123456789") ==
                   std::string_view::npos;
    };
    if (!digits(0, 4) || rfc3339.size() < 16 || rfc3339[4] != '-' || !digits(5, 2) ||
        rfc3339[7] != '-' || !digits(8, 2) || (rfc3339[10] != 'T' && rfc3339[10] != ' ') ||
        !digits(11, 2) || rfc3339[13] != ':' || !digits(14, 2)) {
        return std::string(rfc3339);
    }
    const int month = std::stoi(std::string(rfc3339.substr(5, 2)));
    const int day = std::stoi(std::string(rfc3339.substr(8, 2)));
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return std::string(rfc3339);
    }
    return catalog.format("date.format",
                          {{"day", std::to_string(day)},
                           {"month", catalog.text("date.month." + std::to_string(month))},
                           {"year", std::string(rfc3339.substr(0, 4))},
                           {"time", std::string(rfc3339.substr(11, 5))}});
}

std::optional<Catalogs> Catalogs::load_shipped(std::string& error) {
    Catalogs all;
    for (const auto language : kShippedLanguages) {
        auto catalog = Catalog::load_language(language, error);
        if (!catalog) {
            return std::nullopt;
        }
        if (catalog->language() != language) {
            error = std::string(language) + ".po says it is in '" + catalog->language() + "'";
            return std::nullopt;
        }
        all.catalogs_.push_back(std::move(*catalog));
    }
    return all;
}

bool Catalogs::has(std::string_view language) const {
    return std::any_of(catalogs_.begin(), catalogs_.end(),
                       [&](const Catalog& c) { return c.language() == language; });
}

const Catalog& Catalogs::of(std::string_view language) const {
    for (const auto& catalog : catalogs_) {
        if (catalog.language() == language) {
            return catalog;
        }
    }
    return catalogs_.front();
}

std::vector<std::string> Catalogs::languages() const {
    std::vector<std::string> out;
    for (const auto& catalog : catalogs_) {
        out.push_back(catalog.language());
    }
    return out;
}

} // namespace kiosk::assets
