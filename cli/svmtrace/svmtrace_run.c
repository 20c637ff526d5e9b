// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement window every collecting subcommand shares: around a
 * command, for a number of seconds, or until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "svmtrace_cli.h"

volatile sig_atomic_t svmtrace_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	svmtrace_interrupted = 1;
}

void svmtrace_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

double svmtrace_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @seconds, or less if a signal asks to stop; false when it did. */
bool svmtrace_sleep(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		if (svmtrace_interrupted)
			return false;
	return !svmtrace_interrupted;
}

/* Start @command with default SIGINT/SIGTERM; 0, or 127 when fork fails. */
int svmtrace_spawn(char **command, pid_t *pid)
{
	*pid = fork();
	if (*pid < 0) {
		fprintf(stderr, "svmtrace: fork: %s\n", strerror(errno));
		return 127;
	}
	if (*pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(command[0], command);
		fprintf(stderr, "svmtrace: cannot run '%s': %s\n", command[0], strerror(errno));
		_exit(127);
	}
	return 0;
}

/*
 * Wait for @pid (or only look, unless @block); true once it has ended, with
 * its exit status (128 + signal when killed) in *@status.
 */
bool svmtrace_reap(pid_t pid, bool block, int *status)
{
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, block ? 0 : WNOHANG)) < 0)
		if (errno != EINTR) {
			*status = 127;
			return true;
		}
	if (!r)
		return false;
	*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	return true;
}

int svmtrace_run_command(char **command)
{
	int status;
	pid_t pid;

	if (svmtrace_spawn(command, &pid))
		return 127;
	svmtrace_reap(pid, true, &status);
	return status;
}

int svmtrace_window(char **command, double seconds)
{
	if (command)
		return svmtrace_run_command(command);
	if (seconds > 0) {
		svmtrace_sleep(seconds);
		return 0;
	}
	while (!svmtrace_interrupted)
		pause();
	return 0;
}
