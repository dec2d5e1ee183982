// Tickets, feedback and kiosk audit events (mutating: strict bodies, unknown fields
// refused), and the admin reads of the audit log, tickets and reports, and /metrics.
// Index: [helpers] [mutating] [reads].
#include "record_routes.hpp"

#include "fleet_routes.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/api.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"
#include "route_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultReportDays = 30;

RouteReply error_reply(int status, std::string_view code, std::string message) {
    return {status,
            api::error_body({std::string(code), std::move(message), std::nullopt, std::nullopt})};
}

void write(httplib::Response& res, const RouteReply& reply) {
    res.status = reply.status;
    res.set_content(reply.body, "application/json");
}

// The body as an object whose keys are all in `allowed`, or the 400 to answer.
std::variant<json, RouteReply> strict_object(const std::string& body,
                                             std::initializer_list<std::string_view> allowed) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return error_reply(400, api::error_code::kBadRequest, "The body must be a JSON object.");
    }
    for (const auto& [key, value] : doc.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return error_reply(400, api::error_code::kUnknownField,
                               "Unknown field \"" + key.substr(0, 64) + "\".");
        }
    }
    return doc;
}

// 1..max characters of [a-z0-9_-]: categories, flows, outcomes, actions, screens.
bool is_word(const std::string& s, std::size_t max) {
    if (s.empty() || s.size() > max) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// An audit action: 1..64 of [a-z0-9_.-] ("maintenance.entered", "session_ended").
bool is_action(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    });
}

bool is_one_of(const std::string& s, std::initializer_list<std::string_view> values) {
    return std::find(values.begin(), values.end(), s) != values.end();
}

// Free text: at most `max` bytes of valid-looking text (no NUL, no control characters but
// line breaks and tabs).
bool is_text(const std::string& s, std::size_t max) {
    if (s.size() > max) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 || c == '\n' || c == '\t' || c == '\r';
    });
}

bool is_language(const std::string& s) {
    if (s.size() < 2 || s.size() > 35) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-';
    });
}

bool is_outcome(const std::string& s) {
    return is_one_of(s, {"completed", "ticket", "abandoned", "failed"});
}
bool is_ticket_status(const std::string& s) {
    return is_one_of(s, {"open", "in_progress", "resolved", "closed"});
}

// The ticket workflow: any open state may move to any other; a closed ticket stays closed
// (a new problem is a new ticket).
bool transition_allowed(const std::string& from, const std::string& to) {
    return from != "closed" && from != to;
}

json ticket_admin_json(const Ticket& t) {
    return {{"reference", t.reference},
            {"status", t.status},
            {"category", t.category},
            {"description", t.description},
            {"contact_preference", t.contact_preference},
            {"language", t.language},
            {"identifier", t.identifier.empty() ? json(nullptr) : json(t.identifier)},
            {"username", t.username.empty() ? json(nullptr) : json(t.username)},
            {"kiosk_id", t.kiosk_id.empty() ? json(nullptr) : json(t.kiosk_id)},
            {"created_at", rfc3339_utc(t.created_at)},
            {"updated_at", rfc3339_utc(t.updated_at)},
            {"resolved_at", t.resolved_at ? json(rfc3339_utc(*t.resolved_at)) : json(nullptr)}};
}

api::TicketView ticket_view(const Ticket& t) {
    return {t.reference,
            t.status,
            t.category,
            rfc3339_utc(t.created_at),
            rfc3339_utc(t.updated_at),
            t.resolved_at ? std::optional<std::string>(rfc3339_utc(*t.resolved_at)) : std::nullopt};
}

json audit_json(const AuditEntry& e) {
    json j = {{"sequence", e.sequence},
              {"at", rfc3339_utc(e.at)},
              {"action", e.action},
              {"actor", e.actor},
              {"subject", e.subject},
              {"detail", e.detail},
              {"kiosk_id", e.kiosk_id.empty() ? json(nullptr) : json(e.kiosk_id)},
              {"source", e.source},
              {"occurred_at", e.occurred_at ? json(rfc3339_utc(*e.occurred_at)) : json(nullptr)},
              {"hash", e.hash}};
    if (e.action == "session_ended") {
        j["flow"] = e.flow;
        j["last_screen"] = e.last_screen;
        j["outcome"] = e.outcome;
    }
    return j;
}

// A share rounded to 4 places, or null.
json share(const std::optional<double>& value) {
    return value ? json(std::round(*value * 10000.0) / 10000.0) : json(nullptr);
}

json report_json(const Report& r) {
    json distribution = json::object();
    for (const auto& [rating, count] : r.csat_distribution) {
        distribution[std::to_string(rating)] = count;
    }
    json adoption = json::array();
    for (const auto& [kiosk, a] : r.adoption) {
        adoption.push_back({{"kiosk_id", kiosk.empty() ? json(nullptr) : json(kiosk)},
                            {"sessions", a.sessions},
                            {"users", a.users}});
    }
    json abandoned = json::array();
    for (const auto& [where, count] : r.abandoned) {
        abandoned.push_back(
            {{"flow", where.first}, {"last_screen", where.second}, {"count", count}});
    }
    std::sort(abandoned.begin(), abandoned.end(), [](const json& a, const json& b) {
        return a.at("count").get<std::int64_t>() > b.at("count").get<std::int64_t>();
    });
    return {
        {"from", rfc3339_utc(r.from)},
        {"to", rfc3339_utc(r.to)},
        {"csat",
         {{"count", r.feedback_count},
          {"mean", r.csat_mean ? json(std::round(*r.csat_mean * 100.0) / 100.0) : json(nullptr)},
          {"satisfied_share", share(r.csat_satisfied_share)},
          {"distribution", distribution}}},
        {"first_contact_resolution",
         {{"completed_at_kiosk", r.sessions_completed},
          {"ended_with_ticket", r.sessions_ticket},
          {"rate", share(r.first_contact_resolution)}}},
        {"adoption", adoption},
        {"deflection",
         {{"resets", r.resets},
          {"unlocks", r.unlocks},
          {"tickets_avoided", r.resets + r.unlocks},
          {"tickets_opened", r.tickets_opened}}},
        {"time_to_resolution",
         {{"tickets_resolved", r.tickets_resolved},
          {"median_seconds",
           r.resolution_median_seconds ? json(*r.resolution_median_seconds) : json(nullptr)}}},
        {"abandoned_flows", {{"count", r.sessions_abandoned}, {"by_screen", abandoned}}}};
}

// A time query parameter: absent → fallback; present but not RFC 3339 → nullopt.
std::optional<std::int64_t> time_param(const httplib::Request& req, const char* name,
                                       std::int64_t fallback, bool& bad) {
    if (!req.has_param(name)) {
        return fallback;
    }
    const auto parsed = parse_rfc3339(req.get_param_value(name));
    if (!parsed) {
        bad = true;
    }
    return parsed;
}

std::optional<int> limit_param(const httplib::Request& req, int fallback) {
    if (!req.has_param("limit")) {
        return fallback;
    }
    const std::string text = req.get_param_value("limit");
    if (text.empty() || text.size() > 4 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const int value = std::stoi(text);
    return value >= 1 && value <= 1000 ? std::optional<int>(value) : std::nullopt;
}

template <typename T> RouteReply outcome_reply(const Outcome<T>& outcome, int success_status) {
    if (const auto* failure = std::get_if<ServiceError>(&outcome)) {
        return {failure->http_status, api::error_body(failure->error)};
    }
    return {success_status, api::serialize(std::get<T>(outcome))};
}

} // namespace

// "/v1/activations/{id}/confirm" -> id; empty for any other path.
std::string activation_of(const std::string& path) {
    constexpr std::string_view prefix = "/v1/activations/";
    constexpr std::string_view suffix = "/confirm";
    if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
        !path.ends_with(suffix)) {
        return {};
    }
    std::string id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    const bool ok = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
                        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                               (c >= '0' && c <= '9') || c == '_' || c == '-';
                    });
    return ok ? id : std::string();
}

RecordRoutes::RecordRoutes(Records& records, CentralService& service, Metrics* metrics,
                           const FleetSettings& fleet)
    : records_(records), service_(service), metrics_(metrics), fleet_(fleet) {}

std::optional<KioskIdentity> RecordRoutes::kiosk_of(const httplib::Request& req) const {
    return calling_kiosk(fleet_, req).kiosk; // the client certificate (src/fleet_routes.cpp)
}

bool RecordRoutes::handles(const std::string& path) {
    return path == "/v1/tickets" || path == "/v1/feedback" || path == "/v1/kiosks/audit-events" ||
           path == "/v1/contact-details" || path == "/v1/activations" ||
           !activation_of(path).empty();
}

std::optional<RouteReply> RecordRoutes::refuse(const std::string& path,
                                               const std::optional<KioskIdentity>& kiosk) const {
    if (path == "/v1/kiosks/audit-events" && !kiosk) {
        return error_reply(401, api::error_code::kClientCertificateRequired,
                           "This route needs an enrolled kiosk's valid client certificate "
                           "(mutual TLS).");
    }
    return std::nullopt;
}

// [mutating] ----------------------------------------------------------------------------

RouteReply RecordRoutes::dispatch(const std::string& path, const std::string& body,
                                  const std::optional<KioskIdentity>& kiosk) {
    const auto now = unix_now();
    const std::string kiosk_id = kiosk ? kiosk->kiosk_id : std::string();
    if (path == "/v1/tickets") {
        auto doc = strict_object(body, {"identifier", "verification_token", "category",
                                        "description", "contact_preference", "language"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto request = api::parse<api::CreateTicketRequest>(body);
        if (!request || !is_word(request->category, 32) || !is_text(request->description, 4000) ||
            request->description.empty() ||
            !is_one_of(request->contact_preference, {"email", "phone", "none"}) ||
            !is_language(request->language) ||
            (request->identifier && !is_text(*request->identifier, 254))) {
            return error_reply(400, api::error_code::kBadRequest,
                               "category (a-z, 0-9, _ or -), description (1-4000 bytes), "
                               "contact_preference (email, phone or none) and language (a BCP "
                               "47 tag) are required; identifier is at most 254 bytes.");
        }
        Ticket ticket;
        if (request->verification_token) {
            // The token shows who the user is; it is not spent (they may still reset). One
            // that expired (a ticket that waited in a kiosk's outbox) or is unknown opens the
            // ticket unverified rather than refusing it: a refusal would lose the person's
            // request, and an anonymous ticket is allowed anyway.
            auto account = service_.verified_account(*request->verification_token);
            secure_wipe(*request->verification_token);
            if (account) {
                ticket.username = account->username;
            }
        }
        ticket.reference = "T-" + random_reference(8);
        ticket.status = "open";
        ticket.category = request->category;
        ticket.description = request->description;
        ticket.contact_preference = request->contact_preference;
        ticket.language = request->language;
        ticket.identifier = request->identifier.value_or("");
        ticket.kiosk_id = kiosk_id;
        ticket.created_at = now;
        ticket.updated_at = now;
        records_.add_ticket(ticket);
        records_.append_audit(
            audit_entry("ticket_opened", ticket.username.empty() ? "anonymous" : ticket.username,
                        ticket.reference, "category " + ticket.category, kiosk_id));
        return {201, api::serialize(api::TicketCreatedResponse{ticket.reference, ticket.status,
                                                               rfc3339_utc(now)})};
    }
    if (path == "/v1/feedback") {
        auto doc = strict_object(body, {"rating", "comment", "flow", "outcome", "kiosk_id"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto request = api::parse<api::FeedbackRequest>(body);
        if (!request || request->rating < 1 || request->rating > 5 ||
            !is_text(request->comment, 2000) || !is_word(request->flow, 32) ||
            !is_outcome(request->outcome) ||
            (request->kiosk_id && !valid_fleet_name(*request->kiosk_id))) {
            return error_reply(400, api::error_code::kBadRequest,
                               "rating (an integer 1-5), flow (a-z, 0-9, _ or -) and outcome "
                               "(completed, ticket, abandoned or failed) are required; comment "
                               "is at most 2000 bytes.");
        }
        Feedback feedback{"FB-" + random_reference(8),
                          request->rating,
                          request->comment,
                          request->flow,
                          request->outcome,
                          kiosk ? kiosk_id : request->kiosk_id.value_or(""),
                          now};
        records_.add_feedback(feedback);
        return {201, api::serialize(api::FeedbackResponse{feedback.reference, rfc3339_utc(now)})};
    }
    if (path == "/v1/kiosks/audit-events") {
        if (auto refusal = refuse(path, kiosk)) {
            return *refusal;
        }
        auto doc = strict_object(
            body, {"action", "actor", "detail", "at", "flow", "last_screen", "outcome"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto event = api::parse<api::KioskAuditEvent>(body);
        const auto at = event ? parse_rfc3339(event->at) : std::nullopt;
        const bool session = event && event->action == "session_ended";
        if (!event || !at || !is_action(event->action) || !is_text(event->actor, 128) ||
            !is_text(event->detail, 2000) ||
            (session && (!event->flow || !is_word(*event->flow, 32) || !event->last_screen ||
                         !is_word(*event->last_screen, 64) || !event->outcome ||
                         !is_outcome(*event->outcome)))) {
            return error_reply(400, api::error_code::kBadRequest,
                               "action (a-z, 0-9, _ or -), actor (1-128 bytes), detail (at most "
                               "2000 bytes) and at (RFC 3339) are required; session_ended also "
                               "needs flow, last_screen and outcome.");
        }
        // A kiosk that does not know who acted (maintenance before a staff sign-in) says so.
        if (event->actor.empty()) {
            event->actor = "unknown";
        }
        AuditEntry entry = audit_entry(event->action, event->actor, "", event->detail, kiosk_id);
        entry.at = now;
        entry.source = "kiosk";
        entry.occurred_at = at;
        if (session) {
            entry.flow = *event->flow;
            entry.last_screen = *event->last_screen;
            entry.outcome = *event->outcome;
        }
        const auto sequence = records_.append_audit(entry);
        return {201, api::serialize(api::KioskAuditEventResponse{sequence, rfc3339_utc(now)})};
    }
    if (path == "/v1/contact-details") {
        auto doc = strict_object(body, {"verification_token", "email", "phone"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto request = api::parse<api::ContactUpdateRequest>(body);
        if (!request) {
            return error_reply(400, api::error_code::kBadRequest,
                               "verification_token is a required string; email and phone "
                               "(at least one) are strings.");
        }
        RouteReply reply = outcome_reply(service_.update_contact(*request), 200);
        secure_wipe(request->verification_token);
        return reply;
    }
    if (path == "/v1/activations") {
        auto doc = strict_object(body, {"identifier", "activation_code", "new_password"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto request = api::parse<api::ActivationRequest>(body);
        if (!request) {
            return error_reply(400, api::error_code::kBadRequest,
                               "identifier, activation_code and new_password are required "
                               "strings.");
        }
        RouteReply reply = outcome_reply(service_.start_activation(*request), 201);
        secure_wipe(request->activation_code);
        secure_wipe(request->new_password);
        return reply;
    }
    if (const auto id = activation_of(path); !id.empty()) {
        auto doc = strict_object(body, {"code"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            return *refusal;
        }
        auto request = api::parse<api::ActivationConfirmRequest>(body);
        if (!request) {
            return error_reply(400, api::error_code::kBadRequest, "code is a required string.");
        }
        RouteReply reply = outcome_reply(service_.confirm_activation(id, *request), 200);
        secure_wipe(request->code);
        return reply;
    }
    return error_reply(404, api::error_code::kNotFound, "There is no such resource.");
}

// [reads] -------------------------------------------------------------------------------

void RecordRoutes::register_reads(httplib::Server& server) {
    auto* self = this;
    // The admin behind the request if its role is one of `allowed`; else writes 401/403.
    const auto admin =
        [self](const httplib::Request& req, httplib::Response& res,
               std::initializer_list<AdminRole> allowed) -> std::optional<AdminIdentity> {
        std::string token = bearer(req);
        auto found = token.empty() || self->fleet_.store == nullptr
                         ? std::nullopt
                         : self->fleet_.store->admin_by_token(token);
        secure_wipe(token);
        if (!found) {
            write(res, error_reply(401, api::error_code::kUnauthenticated,
                                   "This route needs an admin credential (Authorization: "
                                   "Bearer ...)."));
            res.set_header("WWW-Authenticate", "Bearer");
            return std::nullopt;
        }
        if (std::find(allowed.begin(), allowed.end(), found->role) == allowed.end()) {
            write(res, error_reply(403, api::error_code::kForbidden,
                                   "The role " + std::string(to_string(found->role)) +
                                       " may not do this."));
            return std::nullopt;
        }
        return found;
    };

    server.Get(R"(/v1/tickets/(T-[A-Z0-9]{1,16}))",
               [self](const httplib::Request& req, httplib::Response& res) {
                   const auto ticket = self->records_.ticket(req.matches[1]);
                   if (!ticket) {
                       write(res, error_reply(404, api::error_code::kNotFound,
                                              "There is no ticket with this reference."));
                       return;
                   }
                   write(res, {200, api::serialize(ticket_view(*ticket))});
               });

    server.Get("/v1/admin/tickets", [self, admin](const httplib::Request& req,
                                                  httplib::Response& res) {
        if (!admin(req, res, {AdminRole::admin, AdminRole::helpdesk})) {
            return;
        }
        const std::string status = req.get_param_value("status");
        const auto limit = limit_param(req, 100);
        if ((!status.empty() && !is_ticket_status(status)) || !limit) {
            write(res, error_reply(400, api::error_code::kBadRequest,
                                   "status must be open, in_progress, resolved or closed; limit "
                                   "1 to 1000."));
            return;
        }
        json list = json::array();
        for (const auto& t : self->records_.tickets(status, *limit)) {
            list.push_back(ticket_admin_json(t));
        }
        write(res, {200, json{{"tickets", list}}.dump()});
    });

    server.Post(R"(/v1/admin/tickets/(T-[A-Z0-9]{1,16})/status)", [self, admin](
                                                                      const httplib::Request& req,
                                                                      httplib::Response& res) {
        const auto who = admin(req, res, {AdminRole::admin, AdminRole::helpdesk});
        if (!who) {
            return;
        }
        auto doc = strict_object(req.body, {"status", "note"});
        if (auto* refusal = std::get_if<RouteReply>(&doc)) {
            write(res, *refusal);
            return;
        }
        const auto request = api::parse<api::TicketStatusChangeRequest>(req.body);
        if (!request || !is_ticket_status(request->status) ||
            (request->note && !is_text(*request->note, 2000))) {
            write(res, error_reply(400, api::error_code::kBadRequest,
                                   "status must be open, in_progress, resolved or closed; "
                                   "note at most 2000 bytes."));
            return;
        }
        const std::string reference = req.matches[1];
        const auto ticket = self->records_.ticket(reference);
        if (!ticket) {
            write(res, error_reply(404, api::error_code::kNotFound,
                                   "There is no ticket with this reference."));
            return;
        }
        if (ticket->status == request->status) { // a repeat changes nothing
            write(res, {200, ticket_admin_json(*ticket).dump()});
            return;
        }
        if (!transition_allowed(ticket->status, request->status)) {
            write(res, error_reply(409, api::error_code::kInvalidStatusTransition,
                                   "A " + ticket->status + " ticket cannot become " +
                                       request->status + "."));
            return;
        }
        const auto now = unix_now();
        self->records_.set_ticket_status(reference, request->status, now);
        self->records_.append_audit(audit_entry("ticket_status_changed", who->name, reference,
                                                ticket->status + " -> " + request->status +
                                                    (request->note ? ": " + *request->note : "")));
        write(res, {200, ticket_admin_json(*self->records_.ticket(reference)).dump()});
    });

    server.Get(
        "/v1/admin/audit", [self, admin](const httplib::Request& req, httplib::Response& res) {
            if (!admin(req, res, {AdminRole::admin, AdminRole::auditor})) {
                return;
            }
            bool bad = false;
            AuditQuery query;
            query.since = time_param(req, "since", std::numeric_limits<std::int64_t>::min(), bad);
            query.until = time_param(req, "until", std::numeric_limits<std::int64_t>::max(), bad);
            query.action = req.get_param_value("action");
            const auto limit = limit_param(req, 100);
            if (bad || !limit || (!query.action.empty() && !is_action(query.action))) {
                write(res, error_reply(400, api::error_code::kBadRequest,
                                       "since and until must be RFC 3339 times, action a-z, 0-9, "
                                       "_ or -, limit 1 to 1000."));
                return;
            }
            query.limit = *limit;
            json entries = json::array();
            for (const auto& e : self->records_.audit(query)) {
                entries.push_back(audit_json(e));
            }
            write(res, {200, json{{"entries", entries}}.dump()});
        });

    server.Get("/v1/admin/audit/verify",
               [self, admin](const httplib::Request& req, httplib::Response& res) {
                   if (!admin(req, res, {AdminRole::admin, AdminRole::auditor})) {
                       return;
                   }
                   const auto check = self->records_.verify_chain();
                   write(res, {200, json{{"ok", check.ok},
                                         {"entries", check.entries},
                                         {"first_bad_sequence",
                                          check.first_bad ? json(*check.first_bad) : json(nullptr)},
                                         {"reason", check.ok ? json(nullptr) : json(check.why)}}
                                        .dump()});
               });

    server.Get(
        "/v1/admin/reports", [self, admin](const httplib::Request& req, httplib::Response& res) {
            if (!admin(req, res, {AdminRole::admin, AdminRole::helpdesk, AdminRole::auditor})) {
                return;
            }
            bool bad = false;
            const auto now = unix_now();
            const auto to = time_param(req, "to", now + 1, bad);
            const auto from =
                time_param(req, "from", to.value_or(now) - kDefaultReportDays * 86400, bad);
            if (bad || *from >= *to) {
                write(res, error_reply(400, api::error_code::kBadRequest,
                                       "from and to must be RFC 3339 times with from before to."));
                return;
            }
            write(res, {200, report_json(self->records_.report(*from, *to)).dump()});
        });

    server.Get("/metrics", [self, admin](const httplib::Request& req, httplib::Response& res) {
        if (self->metrics_ == nullptr) {
            write(res, error_reply(404, api::error_code::kNotFound, "Metrics are off."));
            return;
        }
        // The scrape token (serve --metrics-token-file), or an admin or auditor credential.
        std::string token = bearer(req);
        const bool scraper = self->metrics_->is_scrape_token(token);
        secure_wipe(token);
        if (!scraper && !admin(req, res, {AdminRole::admin, AdminRole::auditor})) {
            return;
        }
        Metrics::Gauges gauges;
        if (self->fleet_.store != nullptr) {
            const auto now = unix_now();
            for (const auto& entry : self->fleet_.store->fleet()) {
                ++gauges.kiosks_enrolled;
                if (entry.last_seen && now - *entry.last_seen <= self->fleet_.online_seconds) {
                    ++gauges.kiosks_online;
                }
                gauges.kiosk_queue_depth += entry.heartbeat.queue_depth;
                gauges.kiosk_dead_letters += entry.heartbeat.dead_letters;
            }
        }
        gauges.tickets_open = self->records_.unresolved_tickets();
        res.set_content(self->metrics_->exposition(gauges), "text/plain; version=0.0.4");
    });
}

} // namespace kiosk::central
