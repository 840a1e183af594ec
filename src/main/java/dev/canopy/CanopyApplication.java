package dev.canopy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Canopy: a multi-tenant cloud management platform. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CanopyApplication {

    public static void main(String[] args) {
        SpringApplication.run(CanopyApplication.class, args);
    }
}
