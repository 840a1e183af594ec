package dev.canopy.platform.events;

import java.util.concurrent.Executor;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The threads that run the outbox's listeners ({@code @ApplicationModuleListener} and every other {@code @Async}
 * method): at most {@code canopy.events.listener-threads} at once, the rest queued in memory. Without a bound every
 * committed event started a virtual thread at once, and under a burst thousands of them waited for the database
 * pool together, starving the requests that published them. A queued invocation that is lost with the instance is
 * still in the outbox and is handed to its listener again at the next start.
 */
@Configuration(proxyBeanMethods = false)
class OutboxListenerThreads implements AsyncConfigurer, DisposableBean {

    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

    OutboxListenerThreads(@Value("${canopy.events.listener-threads}") int threads) {
        executor.setCorePoolSize(Math.max(1, threads));
        executor.setMaxPoolSize(Math.max(1, threads));
        executor.setThreadNamePrefix("canopy-outbox-");
        executor.setDaemon(true);
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.setAwaitTerminationSeconds(5);
        executor.initialize();
    }

    @Override
    public Executor getAsyncExecutor() {
        return executor;
    }

    @Override
    public void destroy() {
        executor.shutdown();
    }
}
