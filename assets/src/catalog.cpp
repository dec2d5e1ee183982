// A reader for the subset of the gettext .po format the catalogs use: comments, msgctxt,
// msgid and msgstr with continuation lines and C escapes. Plural entries come with the
// languages work; an entry with an empty msgstr counts as missing, as gettext does.
#include "kiosk/assets/catalog.hpp"

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

std::optional<Catalog> Catalog::load(const std::filesystem::path& po_file, std::string& error) {
    std::ifstream in(po_file);
    if (!in) {
        error = "cannot open " + po_file.string();
        return std::nullopt;
    }
    Catalog catalog;
    enum class Field { None, Id, Str } field = Field::None;
    std::string id;
    std::string str;
    auto flush = [&] {
        if (!id.empty() && !str.empty()) {
            catalog.entries_[id] = str;
        }
        id.clear();
        str.clear();
        field = Field::None;
    };
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view view(line);
        while (!view.empty() && (view.back() == '\r' || view.back() == ' ')) {
            view.remove_suffix(1);
        }
        if (view.empty() || view.front() == '#') {
            continue;
        }
        std::string piece;
        if (view.starts_with("msgctxt ")) {
            continue; // contexts are not used as keys yet; keys are unique on their own
        }
        if (view.starts_with("msgid ")) {
            if (field == Field::Str) {
                flush();
            }
            field = Field::Id;
            if (!unquote(view.substr(6), id)) {
                error = po_file.string() + ":" + std::to_string(number) + ": bad msgid";
                return std::nullopt;
            }
        } else if (view.starts_with("msgstr ")) {
            field = Field::Str;
            if (!unquote(view.substr(7), str)) {
                error = po_file.string() + ":" + std::to_string(number) + ": bad msgstr";
                return std::nullopt;
            }
        } else if (view.front() == '"' && field != Field::None && unquote(view, piece)) {
            (field == Field::Id ? id : str) += piece;
        } else {
            error = po_file.string() + ":" + std::to_string(number) + ": cannot read this line";
            return std::nullopt;
        }
    }
    flush();
    return catalog;
}

std::optional<Catalog> Catalog::load_language(std::string_view language, std::string& error) {
    return load(assets_dir() / "i18n" / (std::string(language) + ".po"), error);
}

std::string Catalog::text(std::string_view key) const {
    if (auto it = entries_.find(key); it != entries_.end()) {
        return it->second;
    }
    return std::string(key);
}

std::string
Catalog::format(std::string_view key,
                const std::vector<std::pair<std::string_view, std::string>>& values) const {
    std::string out = text(key);
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + std::string(name) + "}";
        for (auto pos = out.find(placeholder); pos != std::string::npos;
             pos = out.find(placeholder, pos + value.size())) {
            out.replace(pos, placeholder.size(), value);
        }
    }
    return out;
}

bool Catalog::contains(std::string_view key) const {
    return entries_.contains(key);
}

std::vector<std::string> Catalog::keys() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [key, value] : entries_) {
        out.push_back(key);
    }
    return out;
}

} // namespace kiosk::assets
