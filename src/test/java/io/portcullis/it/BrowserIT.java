package io.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A person at the approval page, in headless Chromium driven by Selenium, against the WAR in a
 * real Tomcat 10.1: type the credentials, click Approve (or Deny), and land on the client's
 * redirect URI. This is what catches a CSP {@code form-action} or a frame rule that would stop
 * the browser from following the redirect after the form post.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} (installed by {@code bin/test});
 * nothing is downloaded at run time.
 */
class BrowserIT {

  static final String CLIENT = "browser-app";
  static final String SECRET = "browser-app-secret";
  static final Path SCREENSHOTS = Path.of("target/screenshots");

  static ContainerProcess tomcat;
  static String redirectUri;
  WebDriver browser;

  @BeforeAll
  static void startTomcat() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/container-runs").toAbsolutePath()),
        "browser-");
    TomcatContainer container = TomcatContainer.unpack("10", dir);
    // The client's redirect URI is a public route of the same server, so the browser really lands.
    redirectUri = "http://127.0.0.1:" + container.port() + "/callback";
    Path config = ConfigJson.empty()
        .user("Administrator", "manage")
        .client(ConfigJson.Client.confidential(CLIENT, SECRET, redirectUri).name("Orders dashboard")
            .scopes("email", "orders:read"))
        .set("scopeDescriptions", scopeDescriptions())
        .publicRoute("/callback")
        .route("/api/*", "email")
        .write(dir, "browser.json");
    tomcat = container.deployWithContextDescriptor("/", config).start();
  }

  private static com.google.gson.JsonObject scopeDescriptions() {
    com.google.gson.JsonObject words = new com.google.gson.JsonObject();
    words.addProperty("email", "See your email address");
    words.addProperty("orders:read", "Read the orders you placed");
    return words;
  }

  @AfterAll
  static void stopTomcat() {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @BeforeEach
  void openBrowser() throws Exception {
    File chromium = new File("/usr/bin/chromium");
    File driver = new File("/usr/bin/chromedriver");
    assertTrue(chromium.canExecute() && driver.canExecute(),
        "the browser test needs Debian's chromium and chromium-driver: bin/test installs them, or run "
            + "apt-get install -y chromium chromium-driver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void approveLandsOnTheRedirectUriWithACodeThatBuysAToken() throws Exception {
    String verifier = OAuthClient.newVerifier();
    browser.get(authorizeUrl(verifier, "s-approve"));
    assertTrue(browser.getTitle().contains("Orders dashboard"), browser.getTitle());
    String page = browser.findElement(By.tagName("main")).getText();
    assertTrue(page.contains("See your email address"), page);
    assertTrue(page.contains("Read the orders you placed"), page);
    screenshot("approval-desktop.png", 1280, 900);
    screenshot("approval-phone.png", 390, 844);

    browser.findElement(By.name("username")).sendKeys("Administrator");
    browser.findElement(By.name("password")).sendKeys("manage");
    browser.findElement(By.cssSelector("button[name=decision][value=approve]")).click();
    Map<String, String> landed = awaitRedirect();
    assertEquals("s-approve", landed.get("state"));
    String code = landed.get("code");
    assertNotNull(code, "the browser landed without a code: " + browser.getCurrentUrl());
    // The landing page is a real page of the server (the public /callback route).
    assertTrue(browser.getPageSource().contains("\"path\":\"/callback\""), browser.getPageSource());

    OAuthClient client = new OAuthClient(tomcat.baseUrl("/"));
    var token = client.postForm(OAuthClient.TOKEN, OAuthClient.params("grant_type", "authorization_code",
        "code", code, "redirect_uri", redirectUri, "code_verifier", verifier),
        "Authorization", OAuthClient.basic(CLIENT, SECRET));
    assertEquals(200, token.statusCode(), token.body());
  }

  @Test
  void wrongPasswordShowsTheFormAgainAndTheRightOneThenWorks() throws Exception {
    browser.get(authorizeUrl(OAuthClient.newVerifier(), "s-retry"));
    browser.findElement(By.name("username")).sendKeys("Administrator");
    browser.findElement(By.name("password")).sendKeys("not-the-password");
    browser.findElement(By.cssSelector("button[value=approve]")).click();
    assertTrue(awaitElement(By.cssSelector("[role=alert]")).getText()
        .contains("The username or password is incorrect."));
    screenshot("approval-wrong-password.png", 1280, 900);
    browser.findElement(By.name("username")).sendKeys("Administrator");
    browser.findElement(By.name("password")).sendKeys("manage");
    browser.findElement(By.cssSelector("button[value=approve]")).click();
    assertNotNull(awaitRedirect().get("code"));
  }

  @Test
  void denyLandsOnTheRedirectUriWithAccessDenied() throws Exception {
    browser.get(authorizeUrl(OAuthClient.newVerifier(), "s-deny"));
    // Deny needs no credentials: the button skips the form's required fields.
    browser.findElement(By.cssSelector("button[name=decision][value=deny]")).click();
    Map<String, String> landed = awaitRedirect();
    assertEquals("access_denied", landed.get("error"));
    assertEquals("s-deny", landed.get("state"));
  }

  private String authorizeUrl(String verifier, String state) {
    return tomcat.url("/", OAuthClient.AUTHORIZE) + "?" + OAuthClient.formEncode(OAuthClient.params(
        "response_type", "code", "client_id", CLIENT, "redirect_uri", redirectUri, "state", state,
        "code_challenge", OAuthClient.challenge(verifier), "code_challenge_method", "S256"));
  }

  /** The element, once the page that has it has loaded (a click's navigation takes its time). */
  private org.openqa.selenium.WebElement awaitElement(By by) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      List<org.openqa.selenium.WebElement> found = browser.findElements(by);
      if (!found.isEmpty()) {
        return found.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + by + " on " + browser.getCurrentUrl() + "\n" + browser.getPageSource());
      }
      Thread.sleep(50);
    }
  }

  /** Waits until the browser is on the redirect URI and returns its query parameters. */
  private Map<String, String> awaitRedirect() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!browser.getCurrentUrl().startsWith(redirectUri + "?")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the browser did not reach " + redirectUri + "; it is at "
            + browser.getCurrentUrl() + "\n" + browser.getPageSource());
      }
      Thread.sleep(100);
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : URI.create(browser.getCurrentUrl()).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      parameters.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return parameters;
  }

  private void screenshot(String name, int width, int height) {
    browser.manage().window().setSize(new Dimension(width, height));
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
