package dev.lichen.gateway.store;

import dev.lichen.senml.Batch;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the gateway keeps: devices, channels, readings and their rollups, users, sessions,
 * alert rules and alerts. One implementation ({@link JdbcStore}) serves SQLite (default, a file in
 * the data folder) and PostgreSQL (by JDBC URL). All methods are thread-safe.
 */
public interface Store extends AutoCloseable {

    /** SQLite in {@code dataDir/lichen.db}, or the database the JDBC URL names when it is not null. */
    static Store open(Path dataDir, String jdbcUrl) {
        return JdbcStore.open(dataDir, jdbcUrl);
    }

    // ---- ingest (the pipeline's batched writer) ----

    /**
     * Stores the batches in ONE transaction and returns once it is durable (committed), one result per batch in order. A reading
     * already stored (same device, boot id, seq) is ignored and counted as a duplicate. Unknown
     * devices are registered as {@link DeviceState#NEW} and their readings held until adoption.
     * Updates each device's last-seen time, battery/signal and each channel's last value.
     */
    List<WriteResult> write(List<Batch> batches, long receivedMillis);

    // ---- devices and channels ----

    List<Device> devices();

    Optional<Device> device(String id);

    /** Adopts a device (NEW or REJECTED) under a name and a room; its held readings become visible. */
    Device adopt(String id, String name, String room);

    /** Rejects a device: its further readings are refused (CoAP 4.03, MQTT not authorised). */
    Device reject(String id);

    /** Sets online state (MQTT status topic / last will); registers the device as NEW if unknown. */
    Device setOnline(String id, boolean online, long atMillis);

    /** Removes a device with its channels, readings, rollups, rules and alerts. */
    boolean deleteDevice(String id);

    List<Channel> channels(String deviceId);

    // ---- CoAPS keys ----

    /** The device's pre-shared key, if it has one (the device need not be known yet: keys are made before a device first sends). */
    Optional<DeviceKey> deviceKey(String deviceId);

    /** Creates or replaces the device's pre-shared key. */
    void putDeviceKey(DeviceKey key);

    /** The ids of the devices that have a key. */
    java.util.Set<String> deviceKeyIds();

    /** Removes the device's key; true when there was one. */
    boolean deleteDeviceKey(String deviceId);

    // ---- public keys the devices presented (CoAPS raw public keys) ----

    /** Every presented or pinned public key (one per device at most). */
    List<DevicePublicKey> devicePublicKeys();

    /** Records or replaces the device's public key. */
    void putDevicePublicKey(DevicePublicKey key);

    /** Forgets the device's public key (unpins it); true when there was one. */
    boolean deleteDevicePublicKey(String deviceId);

    // ---- commands and the outputs devices announced ----

    /** The name of this database in command ids ({@code <epoch>-<id>}). */
    String commandEpoch();

    /** Keeps a new PENDING command. */
    StoredCommand createCommand(String deviceId, String output, OutputKind kind, double value, String origin,
                                long nowMillis, long expiresMillis);

    /** The device's PENDING commands, oldest first. */
    List<StoredCommand> pendingCommands(String deviceId);

    /** The devices with PENDING commands. */
    List<String> devicesWithPendingCommands();

    /** The device's newest commands first, at most limit. */
    List<StoredCommand> commands(String deviceId, int limit);

    Optional<StoredCommand> command(long id);

    /**
     * Records the device's acknowledgement of a PENDING (or EXPIRED, when it came late) command;
     * empty when the command is not the device's or was finished already.
     */
    Optional<StoredCommand> finishCommand(long id, String deviceId, StoredCommand.CommandState state, String detail, long atMillis);

    /** Marks PENDING commands whose lifetime is over EXPIRED; returns them. */
    List<StoredCommand> expireCommands(long nowMillis);

    /** Replaces the outputs the device announced. */
    void putOutputs(String deviceId, List<DeviceOutput> outputs);

    List<DeviceOutput> outputs(String deviceId);

    // ---- automations ----

    AutomationRow createAutomation(String name, boolean enabled, String definition, long nowMillis);

    /** Replaces a stored automation's name, state and definition; empty when there is none. */
    Optional<AutomationRow> updateAutomation(long id, String name, boolean enabled, String definition, long nowMillis);

    /** Deletes an automation with its runs and timers. */
    boolean deleteAutomation(long id);

    List<AutomationRow> automations();

    Optional<AutomationRow> automation(long id);

    /**
     * Records that an event ran the automation (and its last run and reason); false, recording
     * nothing, when that event ran it already: it must not fire twice.
     */
    boolean recordAutomationRun(long id, String event, String reason, long atMillis);

    /** The automation's runs, newest first. */
    List<AutomationRun> automationRuns(long id, int limit);

    /** Keeps a timer, replacing the automation's timer of the same kind and target. */
    AutomationTimer putAutomationTimer(long automationId, String kind, String target, long dueMillis, String payload);

    boolean deleteAutomationTimer(long id);

    /** Every timer, soonest first. */
    List<AutomationTimer> automationTimers();

    /** Opens a FIRING alert an automation raised, with its message. */
    Alert raiseAlert(long automationId, String deviceId, String channel, double value, String message, long atMillis);

    // ---- readings ----

    /** Raw readings of a channel in [from, to), oldest first, at most limit. */
    List<StoredReading> readings(String deviceId, String channel, long fromMillis, long toMillis, int limit);

    /**
     * A channel's series in [from, to) at the given resolution (null picks
     * {@link Resolution#forRange}); numeric values only. Points older than raw retention come from
     * the rollups.
     */
    Series series(String deviceId, String channel, long fromMillis, long toMillis, Resolution resolution);

    /** Number of raw readings stored for a device (all channels). */
    long readingCount(String deviceId);

    // ---- retention ----

    /**
     * Rolls raw readings older than {@code rawDays} into 1-minute rollups and deletes them; rolls
     * 1-minute rollups older than {@code minuteDays} into 1-hour rollups and deletes them. Hourly
     * rollups are kept. Idempotent; safe while ingest runs.
     */
    RetentionReport applyRetention(long nowMillis, int rawDays, int minuteDays);

    // ---- users and sessions (for the web layer) ----

    long userCount();

    List<User> users();

    Optional<User> user(String username);

    Optional<User> user(long id);

    /** Creates a user; throws {@link StoreException} if the username is taken. */
    User createUser(String username, String passwordHash, Role role, long nowMillis);

    void updatePassword(long userId, String passwordHash);

    boolean deleteUser(long userId);

    void saveSession(Session session);

    Optional<Session> session(String id);

    void deleteSession(String id);

    int deleteExpiredSessions(long nowMillis);

    // ---- the audit trail (the Security page) ----

    /** Appends an event to the audit trail; returns it with its id. */
    AuditEvent audit(AuditEvent event);

    /** The newest events first, at most limit of them, older than beforeId (Long.MAX_VALUE: the newest). */
    List<AuditEvent> auditTrail(long beforeId, int limit);

    /** Deletes all but the newest {@code keep} events; returns how many went. */
    int trimAuditTrail(int keep);

    // ---- alert rules and alerts ----

    AlertRule createRule(AlertRule rule);

    List<AlertRule> rules();

    Optional<AlertRule> rule(long id);

    boolean deleteRule(long id);

    /** Replaces a stored rule's fields (id from the rule); empty when there is no such rule. */
    Optional<AlertRule> updateRule(AlertRule rule);

    /** Rule id -> the reading time since which its condition has held, for every rule holding now. */
    java.util.Map<Long, Long> holdingSince();

    /** Records (or with null, forgets) since when a rule's condition has held; survives a restart. */
    void setHoldingSince(long ruleId, Long sinceMillis);

    /** Alerts newest first; activeOnly leaves out CLEARED ones. */
    List<Alert> alerts(boolean activeOnly);

    Optional<Alert> alert(long id);

    /** Opens a FIRING alert for a rule (used by the alert engine). */
    Alert fireAlert(AlertRule rule, double value, long atMillis);

    /** FIRING -> ACKNOWLEDGED; returns the alert as it is now (unchanged if not FIRING). */
    Optional<Alert> acknowledgeAlert(long id, String username, long atMillis);

    /** Any -> CLEARED; returns the alert as it is now. */
    Optional<Alert> clearAlert(long id, long atMillis);

    /** The id of the database ("sqlite" or "postgresql"), for health output. */
    String dialect();

    @Override
    void close();
}
