package dev.canopy.platform.console;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.stereotype.Controller;

/**
 * Marks a controller of the web console: its pages get the console's frame (header, tenant switcher,
 * navigation) and its errors are rendered as pages, not problem+json. Modules put the pages of the data
 * they own next to that data and mark them with this.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Controller
public @interface ConsoleController {
}
