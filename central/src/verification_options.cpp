// POST /v1/verification-options: which methods a person may verify with, masked, without
// telling whether the identifier names an account. docs/decisions.md ("Verification
// options without enumeration") says why the made-up lists look the way they do and
// where they stop protecting.
#include "kiosk/central/database.hpp"
#include "kiosk/central/service.hpp"
#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdexcept>

namespace kiosk::central {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 254;
constexpr std::string_view kMask = "\u2022\u2022\u2022"; // •••

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

// The first character of `text`, a whole UTF-8 sequence ("" for empty text).
std::string first_character(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    std::size_t n = 1;
    while (n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) {
        ++n;
    }
    return std::string(text.substr(0, n));
}

// "jane.doe@example.com" -> "j•••@example.com". Only the first character and the domain
// show: enough for the owner to recognise, too little to learn an address from.
std::string mask_email(std::string_view email) {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos || at == 0) {
        return std::string(kMask);
    }
    return first_character(email) + std::string(kMask) + std::string(email.substr(at));
}

// "+447700900104" -> "•••04": the last two digits only.
std::string mask_phone(std::string_view phone) {
    std::string digits;
    for (const char c : phone) {
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        }
    }
    return std::string(kMask) + (digits.size() >= 2 ? digits.substr(digits.size() - 2) : digits);
}

using Mac = std::array<unsigned char, 32>;

Mac hmac_sha256(const std::string& key, const std::string& data) {
    Mac mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
             &length) == nullptr ||
        length != mac.size()) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return mac;
}

bool looks_like_a_name(std::string_view identifier) {
    for (const char c : identifier) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return !identifier.empty();
}

// What an account the identifier does not name would plausibly have. Derived from the
// identifier (lower-cased, as accounts are looked up) so that asking again, from any
// kiosk and any central process sharing the key, gives the same list.
std::vector<api::VerificationOption> made_up_options(const std::string& key,
                                                     const std::string& domain,
                                                     const std::string& identifier,
                                                     bool sms_enabled) {
    const std::string lower = lower_ascii(identifier);
    const Mac mac = hmac_sha256(key, "verification-options/v1\n" + lower);
    std::string email_hint;
    if (lower.find('@') != std::string::npos) {
        email_hint = mask_email(lower); // an e-mail address typed: its own hint, as when known
    } else {
        // A username usually starts its owner's address (jdoe -> j•••); an employee ID does
        // not, so its letter is drawn from the MAC.
        const std::string letter = looks_like_a_name(lower)
                                       ? lower.substr(0, 1)
                                       : std::string(1, static_cast<char>('a' + mac[0] % 26));
        email_hint = letter + std::string(kMask) + "@" + domain;
    }
    std::vector<api::VerificationOption> options{{"email", email_hint}};
    if (sms_enabled && mac[1] % 100 < 60) {
        const int digits = mac[2] % 100;
        options.push_back({"sms", std::string(kMask) + static_cast<char>('0' + digits / 10) +
                                      static_cast<char>('0' + digits % 10)});
    }
    if (mac[3] % 100 < 30) {
        options.push_back({"totp", ""});
    }
    return options;
}

} // namespace

void CentralService::set_options_key(const std::string& base_key, std::string email_domain) {
    // A key of its own (domain-separated from what else `base_key` keys), held as bytes.
    const Mac derived = hmac_sha256(base_key, "verification-options key");
    secure_wipe(options_key_);
    options_key_.assign(reinterpret_cast<const char*>(derived.data()), derived.size());
    if (!email_domain.empty()) {
        options_domain_ = std::move(email_domain);
    }
}

Outcome<api::VerificationOptionsResponse>
CentralService::verification_options(const api::VerificationOptionsRequest& request) {
    const auto& purpose = request.purpose;
    if (purpose != "any" && purpose != "reset" && purpose != "unlock" && purpose != "status" &&
        purpose != "contact") {
        return ServiceError{400,
                            {std::string(api::error_code::kBadRequest),
                             "purpose must be \"any\", \"reset\", \"unlock\", \"status\" or "
                             "\"contact\"",
                             std::nullopt, std::nullopt, std::nullopt}};
    }
    if (request.identifier.empty() || request.identifier.size() > kMaxIdentifierBytes) {
        return ServiceError{400,
                            {std::string(api::error_code::kBadRequest),
                             "identifier must be 1 to 254 bytes long", std::nullopt, std::nullopt}};
    }
    if (options_key_.empty()) {
        throw std::logic_error("verification_options before set_options_key");
    }
    const auto account = store_.find_account(request.identifier);
    // The phone is read for unknown names too (id 0 names nobody): both paths make the same
    // two queries, so the time taken does not tell them apart either.
    const std::string phone = account_phone(account ? account->id : 0);
    const bool sms = mail_.sms_enabled();
    api::VerificationOptionsResponse answer;
    if (account) {
        answer.methods.push_back({"email", mask_email(account->email)});
        if (sms && !phone.empty()) {
            answer.methods.push_back({"sms", mask_phone(phone)});
        }
        if (!account->totp_secret.empty()) {
            answer.methods.push_back({"totp", ""});
        }
    } else {
        answer.methods = made_up_options(options_key_, options_domain_, request.identifier, sms);
    }
    // MFA is never bypassed (reset_owner): with an authenticator app, a reset is verified
    // with it, so nothing else is offered. The same rule shapes the made-up lists.
    const bool has_totp = std::any_of(answer.methods.begin(), answer.methods.end(),
                                      [](const auto& o) { return o.method == "totp"; });
    if (purpose == "reset" && has_totp) {
        answer.methods = {{"totp", ""}};
    }
    return answer;
}

std::string most_common_email_domain(Store& store) {
    // Counted here rather than in SQL: SQLite and PostgreSQL name their string search
    // differently, and this runs once, at start.
    std::map<std::string, long> counts;
    store.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "SELECT email FROM accounts");
        while (q.step()) {
            const std::string email = q.text(0);
            if (const auto at = email.rfind('@');
                at != std::string::npos && at + 1 < email.size()) {
                ++counts[lower_ascii(std::string_view(email).substr(at + 1))];
            }
        }
    });
    std::string best;
    long most = 0;
    for (const auto& [domain, n] : counts) {
        if (n > most) {
            best = domain;
            most = n;
        }
    }
    return best;
}

} // namespace kiosk::central
