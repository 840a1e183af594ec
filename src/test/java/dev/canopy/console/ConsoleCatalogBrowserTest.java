package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.TemplateArchives;

/**
 * The catalog in headless Chromium: create a template, upload its archive, look at it, and fill in the form rendered
 * from its schema, where a field that only a condition asks for appears without a reload and validation answers.
 */
class ConsoleCatalogBrowserTest extends ApiTest {

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @Test
    void uploadsATemplateAndFillsInItsSchemaFormWithAConditionalField() throws IOException {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("catalogbrowser") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        Path archive = Files.createTempFile("template", ".zip");
        Files.write(archive, TemplateArchives.template("1.0.0", "ansible", ConsoleCatalogTest.INPUTS));
        ChromeDriver browser = Browsers.shared();
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(url("/sign-in"));
        browser.manage().deleteAllCookies();
        browser.get(url("/sign-in"));
        type(browser, By.id("email"), email);
        type(browser, By.id("password"), Fixtures.PASSWORD);
        click(browser, By.xpath("//button[normalize-space()='Sign in']"));
        waitFor(browser, By.cssSelector("[data-testid=current-tenant]"));

        click(browser, By.linkText("Catalog"));
        waitFor(browser, By.cssSelector("[data-testid=empty]"));
        click(browser, By.xpath("//main//a[normalize-space()='New template']"));
        String name = "Browser app " + UUID.randomUUID().toString().substring(0, 8);
        type(browser, By.id("name"), name);
        new Select(waitFor(browser, By.id("driver"))).selectByValue("ansible");
        click(browser, By.xpath("//button[normalize-space()='Create']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=no-versions]")).getText()).contains("No version");

        waitFor(browser, By.id("file")).sendKeys(archive.toAbsolutePath().toString());
        click(browser, By.xpath("//button[normalize-space()='Upload']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=notice]")).getText()).contains("1.0.0 is published");
        assertThat(browser.findElement(By.cssSelector("[data-testid=manifest]")).getText()).contains("driver: ansible");
        Browsers.screenshot(browser, "catalog-template");

        click(browser, By.linkText("Fill in inputs"));
        waitFor(browser, By.id("input-kind"));
        assertThat(browser.findElements(By.id("input-image"))).as("asked for only when kind is container").isEmpty();
        new Select(browser.findElement(By.id("input-kind"))).selectByValue("container");
        waitFor(browser, By.id("input-image"));
        Browsers.screenshot(browser, "catalog-form-conditional");
        click(browser, By.xpath("//button[normalize-space()='Validate']"));
        assertThat(waitFor(browser, By.id("image-error")).getText()).isNotBlank();
        waitFor(browser, By.cssSelector("[data-testid=invalid]"));
        type(browser, By.id("input-image"), "nginx:1.27");
        click(browser, By.xpath("//button[normalize-space()='Validate']"));
        waitFor(browser, By.cssSelector("[data-testid=valid]"));
        Browsers.screenshot(browser, "catalog-form-valid");
        Files.deleteIfExists(archive);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
