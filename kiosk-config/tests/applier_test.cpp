// ConfigApplier against real files: a good bundle applies and survives a restart; every
// kind of bad bundle is refused with its reason while the last good one stays applied;
// revert goes back one step without re-opening the door to the version reverted from.
#include "kiosk/config/applier.hpp"
#include "kiosk/config/files.hpp"
#include "test_support.hpp"

#include <fstream>

using namespace kiosk::config;
using namespace kiosk::config::testing;
using nlohmann::json;

namespace {

class Applier : public ::testing::Test {
protected:
    AdminKey alice = make_admin("alice");
    AdminKey bob = make_admin("bob");
    AdminKey carol = make_admin("carol");
    AdminKey eve = make_admin("eve"); // not trusted
    TempDir dir;

    ApplierSettings settings(int threshold = 2) const {
        ApplierSettings s;
        s.state_dir = dir.path() / "state";
        s.anchors = {alice.anchor(), bob.anchor(), carol.anchor()};
        s.threshold = threshold;
        s.kiosk_id = "lobby-1";
        s.groups = {"lobby", "campus-north"};
        return s;
    }

    std::string good(std::int64_t version, json target = {{"kind", "all"}}) const {
        return signed_bundle(payload_json(version, std::move(target)), {&alice, &bob});
    }

    // Applies version 5 and checks it took.
    void apply_v5(ConfigApplier& applier) const {
        const Outcome o = applier.offer(good(5), test_now());
        ASSERT_TRUE(o.applied()) << o.message;
        ASSERT_EQ(applier.applied_version(), 5);
    }

    // What every refusal must leave behind: version 5 still applied, here and after a
    // restart, and the refusal remembered with its reason.
    void expect_still_on_v5(const ConfigApplier& applier, Refusal reason) const {
        EXPECT_EQ(applier.applied_version(), 5);
        EXPECT_EQ(applier.settings().branding.organisation_name, "Org v5");
        ASSERT_TRUE(applier.last_refusal().has_value());
        EXPECT_EQ(applier.last_refusal()->reason, reason);
        EXPECT_FALSE(applier.last_refusal()->message.empty());
        const ConfigApplier restarted(settings());
        EXPECT_EQ(restarted.applied_version(), 5);
        EXPECT_EQ(restarted.startup_problem(), "");
        ASSERT_TRUE(restarted.last_refusal().has_value());
        EXPECT_EQ(restarted.last_refusal()->reason, reason);
        EXPECT_EQ(restarted.last_refusal()->message, applier.last_refusal()->message);
    }

    void expect_refused(ConfigApplier& applier, const std::string& bundle, Refusal reason,
                        const std::string& message_part) const {
        const Outcome o = applier.offer(bundle, test_now());
        ASSERT_FALSE(o.applied()) << "applied a bundle that should be refused";
        EXPECT_EQ(*o.refused, reason) << to_string(*o.refused) << ": " << o.message;
        EXPECT_NE(o.message.find(message_part), std::string::npos) << o.message;
        expect_still_on_v5(applier, reason);
    }
};

} // namespace

TEST_F(Applier, AppliesAGoodBundleAndRecordsWhoSignedItAndWhen) {
    ConfigApplier applier(settings());
    EXPECT_EQ(applier.applied_version(), 0);
    EXPECT_EQ(applier.settings().branding.organisation_name, Settings{}.branding.organisation_name);
    const Outcome o = applier.offer(good(5), test_now());
    ASSERT_TRUE(o.applied()) << o.message;
    ASSERT_TRUE(applier.applied().has_value());
    EXPECT_EQ(applier.applied()->document.version, 5);
    EXPECT_EQ(applier.applied()->signers, (std::vector<std::string>{"alice", "bob"}));
    EXPECT_EQ(applier.applied()->applied_at, test_now());
    EXPECT_EQ(applier.settings().branding.organisation_name, "Org v5");
    EXPECT_FALSE(applier.can_revert()); // nothing came before it
    EXPECT_FALSE(applier.expired(test_now()));
    EXPECT_TRUE(applier.expired(at("2027-01-01T00:00:00Z")));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "state" / "current.json"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "state" / "current.json.tmp"));
    EXPECT_EQ(std::filesystem::status(dir.path() / "state" / "current.json").permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(Applier, AppliesDocumentsForThisKioskAndItsGroups) {
    ConfigApplier applier(settings());
    EXPECT_TRUE(
        applier.offer(good(1, {{"kind", "kiosk"}, {"ids", {"lobby-1"}}}), test_now()).applied());
    EXPECT_TRUE(applier.offer(good(2, {{"kind", "group"}, {"ids", {"campus-north"}}}), test_now())
                    .applied());
    EXPECT_EQ(applier.applied_version(), 2);
}

TEST_F(Applier, RefusesAnOlderVersion) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, good(4), Refusal::older_version, "older than version 5");
    EXPECT_EQ(applier.last_refusal()->version, 4);
}

TEST_F(Applier, RefusesTheSameVersionEvenWithOtherContent) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    json changed = payload_json(5);
    changed["settings"]["flows"] = {{"ticket", false}};
    expect_refused(applier, signed_bundle(changed, {&alice, &bob}), Refusal::same_version,
                   "already applied");
}

TEST_F(Applier, RefusesAnExpiredDocument) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    json old = payload_json(6);
    old["issued_at"] = "2026-10-01T00:00:00Z";
    old["expires_at"] = "2026-11-20T00:00:00Z";
    expect_refused(applier, signed_bundle(old, {&alice, &bob}), Refusal::expired,
                   "2026-11-20T00:00:00Z");
}

TEST_F(Applier, RefusesADocumentIssuedInTheFutureBeyondTheSkew) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    json early = payload_json(6);
    early["issued_at"] = "2026-11-23T12:10:00Z"; // 10 minutes ahead; 5 are allowed
    expect_refused(applier, signed_bundle(early, {&alice, &bob}), Refusal::not_yet_valid,
                   "in the future");
    early["issued_at"] = "2026-11-23T12:04:00Z"; // within the skew
    EXPECT_TRUE(applier.offer(signed_bundle(early, {&alice, &bob}), test_now()).applied());
}

TEST_F(Applier, RefusesAnotherKiosksDocumentAndAnotherGroups) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, good(6, {{"kind", "kiosk"}, {"ids", {"lobby-2"}}}),
                   Refusal::wrong_target, "'lobby-2'");
    expect_refused(applier, good(7, {{"kind", "group"}, {"ids", {"library"}}}),
                   Refusal::wrong_target, "this kiosk is 'lobby-1'");
}

TEST_F(Applier, RefusesTooFewSignatures) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, signed_bundle(payload_json(6), {&carol}), Refusal::too_few_signatures,
                   "signed by 1 trusted key, 2 needed");
}

TEST_F(Applier, RefusesABadSignatureEvenWhenOthersReachTheThreshold) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    // Carol signed version 6; someone then swapped in a payload of their own.
    const std::string original = payload_json(6).dump();
    auto bundle = parse_bundle(signed_bundle(original, {&alice, &bob, &carol})).bundle.value();
    json tampered = payload_json(6);
    tampered["settings"]["maintenance"] = {{"staff_badges", {"ATTACKER"}}};
    bundle.payload = tampered.dump();
    expect_refused(applier, serialize_bundle(bundle), Refusal::bad_signature, "does not verify");
    // And a signature flipped by one bit on an otherwise valid bundle.
    auto flipped = parse_bundle(good(6)).bundle.value();
    flipped.signatures[1].signature[0] = static_cast<char>(flipped.signatures[1].signature[0] ^ 1);
    expect_refused(applier, serialize_bundle(flipped), Refusal::bad_signature, "'bob'");
}

TEST_F(Applier, RefusesSignaturesByUntrustedKeys) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, signed_bundle(payload_json(6), {&alice, &eve}),
                   Refusal::untrusted_signer, "not trusted here: 'eve'");
}

TEST_F(Applier, CountsADuplicateSignerOnce) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, signed_bundle(payload_json(6), {&alice, &alice, &alice}),
                   Refusal::too_few_signatures, "counts once");
}

TEST_F(Applier, RefusesABundleOverTheSizeCap) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    // A schema-valid, properly signed document that is simply too big: 80 long FAQ answers.
    json big = payload_json(6);
    json faq = json::array();
    for (int i = 0; i < 80; ++i) {
        faq.push_back(
            {{"question", "Question " + std::to_string(i)}, {"answer", std::string(3000, 'a')}});
    }
    big["settings"]["help"] = {{"faq", {{"en", faq}}}};
    const std::string bundle = signed_bundle(big, {&alice, &bob});
    ASSERT_GT(bundle.size(), kMaxBundleBytes);
    ASSERT_TRUE(parse_document(big.dump()).document.has_value()); // only the size is wrong
    expect_refused(applier, bundle, Refusal::too_large, "262144");
}

TEST_F(Applier, RefusesASignedDocumentThatFailsTheSchema) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    json bad = payload_json(6);
    bad["settings"]["idle"] = {{"session_timeout_seconds", 1}};
    expect_refused(applier, signed_bundle(bad, {&alice, &bob}), Refusal::schema,
                   "settings.idle.session_timeout_seconds");
}

TEST_F(Applier, RefusesSomethingThatIsNotABundle) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    expect_refused(applier, "<html>502 Bad Gateway</html>", Refusal::malformed, "JSON");
}

TEST_F(Applier, RevertGoesBackOneStepAndTheVersionFloorStays) {
    ConfigApplier applier(settings());
    const Outcome none = applier.revert(test_now());
    ASSERT_FALSE(none.applied());
    EXPECT_EQ(*none.refused, Refusal::nothing_to_revert);

    apply_v5(applier);
    ASSERT_TRUE(applier.offer(good(6), test_now()).applied());
    EXPECT_TRUE(applier.can_revert());
    const auto later = test_now() + std::chrono::hours(1);
    const Outcome reverted = applier.revert(later);
    ASSERT_TRUE(reverted.applied()) << reverted.message;
    EXPECT_EQ(applier.applied_version(), 5);
    EXPECT_EQ(applier.settings().branding.organisation_name, "Org v5");
    EXPECT_TRUE(applier.applied()->reverted);
    EXPECT_EQ(applier.applied()->applied_at, later);
    EXPECT_FALSE(applier.can_revert());
    EXPECT_EQ(*applier.revert(later).refused, Refusal::nothing_to_revert);

    // The bad version 6 cannot come back by itself; a fixed version 7 can.
    EXPECT_EQ(applier.version_floor(), 6);
    EXPECT_EQ(*applier.offer(good(6), later).refused, Refusal::same_version);
    const ConfigApplier restarted(settings());
    EXPECT_EQ(restarted.applied_version(), 5);
    EXPECT_TRUE(restarted.applied()->reverted);
    EXPECT_EQ(restarted.version_floor(), 6);
    EXPECT_FALSE(restarted.can_revert());
    EXPECT_TRUE(applier.offer(good(7), later).applied());
    EXPECT_EQ(applier.applied_version(), 7);
    EXPECT_TRUE(applier.can_revert());
}

TEST_F(Applier, RevertRefusesAPreviousDocumentThatHasExpired) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    ASSERT_TRUE(applier.offer(good(6), test_now()).applied());
    // good() documents expire 2026-12-31.
    const Outcome o = applier.revert(at("2027-01-02T00:00:00Z"));
    ASSERT_FALSE(o.applied());
    EXPECT_EQ(*o.refused, Refusal::expired);
    EXPECT_EQ(applier.applied_version(), 6);
}

TEST_F(Applier, RestartReloadsAndReverifiesTheAppliedDocument) {
    {
        ConfigApplier applier(settings());
        apply_v5(applier);
        ASSERT_TRUE(applier.offer(good(6), test_now()).applied());
        ASSERT_FALSE(applier.offer(good(4), test_now()).applied());
    }
    const ConfigApplier restarted(settings());
    EXPECT_EQ(restarted.startup_problem(), "");
    ASSERT_TRUE(restarted.applied().has_value());
    EXPECT_EQ(restarted.applied_version(), 6);
    EXPECT_EQ(restarted.applied()->signers, (std::vector<std::string>{"alice", "bob"}));
    EXPECT_EQ(restarted.applied()->applied_at, test_now());
    EXPECT_TRUE(restarted.can_revert());
    ASSERT_TRUE(restarted.last_refusal().has_value());
    EXPECT_EQ(restarted.last_refusal()->reason, Refusal::older_version);
    EXPECT_EQ(restarted.last_refusal()->version, 4);
    EXPECT_EQ(restarted.last_refusal()->at, test_now());
}

TEST_F(Applier, RestartWithRotatedKeysDropsTheDocumentButKeepsTheVersionFloor) {
    {
        ConfigApplier applier(settings());
        apply_v5(applier);
    }
    // Bob's key is withdrawn: version 5 (signed by Alice and Bob) no longer reaches two.
    ApplierSettings rotated = settings();
    rotated.anchors = {alice.anchor(), carol.anchor()};
    ConfigApplier restarted(rotated);
    EXPECT_FALSE(restarted.applied().has_value());
    EXPECT_NE(restarted.startup_problem().find("no longer verifies"), std::string::npos)
        << restarted.startup_problem();
    EXPECT_EQ(restarted.settings().branding.organisation_name,
              Settings{}.branding.organisation_name);
    // Rollback protection survives: an older document is still refused.
    const Outcome older =
        restarted.offer(signed_bundle(payload_json(4), {&alice, &carol}), test_now());
    EXPECT_EQ(*older.refused, Refusal::older_version);
    EXPECT_TRUE(
        restarted.offer(signed_bundle(payload_json(6), {&alice, &carol}), test_now()).applied());
}

TEST_F(Applier, AStoredDocumentEditedOnDiskIsNotLoaded) {
    {
        ConfigApplier applier(settings());
        apply_v5(applier);
    }
    const auto file = dir.path() / "state" / "current.json";
    json state = json::parse(read_file(file, 1 << 20).bytes);
    auto bundle = parse_bundle(state["bundle"].dump()).bundle.value();
    bundle.payload = payload_json(5).dump().replace(0, 1, "{ ");
    state["bundle"] = json::parse(serialize_bundle(bundle));
    ASSERT_EQ(write_file_atomically(file, state.dump()), "");
    const ConfigApplier restarted(settings());
    EXPECT_FALSE(restarted.applied().has_value());
    EXPECT_NE(restarted.startup_problem().find("bad_signature"), std::string::npos)
        << restarted.startup_problem();
}

TEST_F(Applier, AFailedWriteRefusesAndKeepsTheAppliedDocument) {
    ConfigApplier applier(settings());
    apply_v5(applier);
    // A folder where the temp file must go makes the write fail, even for root.
    std::filesystem::create_directories(dir.path() / "state" / "current.json.tmp");
    const Outcome o = applier.offer(good(6), test_now());
    ASSERT_FALSE(o.applied());
    EXPECT_EQ(*o.refused, Refusal::storage);
    EXPECT_EQ(applier.applied_version(), 5);
    std::filesystem::remove(dir.path() / "state" / "current.json.tmp");
    const ConfigApplier restarted(settings());
    EXPECT_EQ(restarted.applied_version(), 5);
}
