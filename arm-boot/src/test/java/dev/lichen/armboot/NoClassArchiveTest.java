package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.armboot.cds.ClassArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --no-class-archive}: the way to build on a machine without qemu-user, on purpose and loudly. */
class NoClassArchiveTest {
    @Test
    void aBuildWithoutTheArchiveSaysSoAndLeavesItOut(@TempDir Path dir) throws Exception {
        List<String> steps = new ArrayList<>();
        Progress record = new Progress() {
            @Override public void step(String what) {
                steps.add(what);
            }

            @Override public void bytes(String what, long done, long total) {}
        };
        Path out = dir.resolve("plain.img");
        ImageBuilder.Request r = TestImages.request(Board.ARM64_VIRT, TestImages.config(dir, "arm64-virt", 5683), out,
                TestImages.sensorAppliance());
        ImageBuilder.Result result = new ImageBuilder(record).build(new ImageBuilder.Request(r.board(), r.config(), r.output(),
                r.mirror(), r.cache(), r.keyring(), r.appliance(), r.dataBytes(), Optional.empty(), false));
        assertTrue(Files.isRegularFile(out));
        assertFalse(result.initramfsFiles().contains(ClassArchive.GUEST_PATH), "no archive in the image");
        assertTrue(steps.stream().anyMatch(s -> s.contains("class archive: LEFT OUT (--no-class-archive)")), String.join("\n", steps));
        assertTrue(steps.stream().noneMatch(s -> s.startsWith("class list:")), "no training run: " + steps);
    }
}
