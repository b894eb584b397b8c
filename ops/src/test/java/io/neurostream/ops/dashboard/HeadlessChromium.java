package io.neurostream.ops.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver, for the dashboard page's browser tests.
 *
 * <p>Skips the calling test, saying what to install, when chromium or chromedriver is missing; under CI
 * ({@code CI=true}, where .ci/run installs them) a missing one fails the test instead, so the browser tests can
 * never be skipped silently there. Uses the installed driver only: nothing is downloaded at test time.
 */
public final class HeadlessChromium {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** A fixed window, so the raster's width (its column count) and screenshots are the same on every run. */
    static final int WIDTH_PX = 1400;
    static final int HEIGHT_PX = 1000;

    private HeadlessChromium() {
    }

    public static ChromeDriver start() {
        String install = "the dashboard's browser tests need Debian's chromium and chromedriver "
                + "(apt-get install -y chromium chromium-driver; .ci/run installs them)";
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if ("true".equals(System.getenv("CI"))) {
            assertThat(present).as("%s: %s or %s is missing", install, CHROMIUM, CHROMEDRIVER).isTrue();
        }
        assumeThat(present).as("%s: %s or %s is missing", install, CHROMIUM, CHROMEDRIVER).isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=" + WIDTH_PX + "," + HEIGHT_PX, "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    /** Waits (up to 10 s) until {@code condition} is true or non-null, failing the test with its message if not. */
    public static <T> T await(WebDriver driver, String what, Function<WebDriver, T> condition) {
        return await(driver, what, Duration.ofSeconds(10), condition);
    }

    /** Waits up to {@code timeout} until {@code condition} is true or non-null, failing the test with its message if not. */
    public static <T> T await(WebDriver driver, String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50))
                .withMessage(what)
                .until(condition);
    }

    /** Saves what the browser shows to {@code ops/target/NAME}. */
    public static Path screenshot(ChromeDriver driver, String name) {
        Path target = Path.of("target", name);
        try {
            Files.createDirectories(target.getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
