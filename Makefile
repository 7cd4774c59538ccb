# seqtrans: plain Makefile. `make` builds ./seqtrans, `make test` runs every test,
# `make demo` installs what is missing, trains on data/ and translates.
CC      ?= cc
PREFIX  ?= /usr/local
OPT     ?= -O3 -march=native -fno-math-errno
CFLAGS  += -std=c11 $(OPT) -g -Wall -Wextra -D_GNU_SOURCE -Isrc -I/usr/include/x86_64-linux-gnu/openblas-pthread
LDLIBS  += -lutf8proc -lm -lpthread -ldl
BUILD   ?= build

# src/<layer>/<module>.c: every folder is part of the library; main.c is the binary's own.
LIB_SRC  := $(wildcard src/*/*.c)
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
HEADERS  := $(wildcard src/*/*.h)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# The man pages and the bash completion, written by the binary from its option tables.
COMMANDS   := tokenize train eval translate quantize info
MAN_PAGES  := $(BUILD)/man/seqtrans.1 $(COMMANDS:%=$(BUILD)/man/seqtrans-%.1)
COMPLETION := $(BUILD)/seqtrans.bash

.PHONY: all test demo install clean deps asan bench fuzz docs
all: seqtrans

deps:
	@sh scripts/setup.sh

seqtrans: $(BUILD)/main.o $(BUILD)/libseqtrans.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Members keep their folder (P): cmd/train.o and train/train.o are different objects.
$(BUILD)/libseqtrans.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcsP $@ $^

$(BUILD)/%.o: src/%.c $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/check.h tests/gradcheck.h tests/quiet.h tests/bpe_checks.h $(BUILD)/libseqtrans.a | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libseqtrans.a $(LDLIBS)

$(BUILD):
	@mkdir -p $(BUILD)

# Drives translate as a co-process for the soak tests (scripts/soak.sh, tests/cli_soak.sh).
$(BUILD)/soak_translate: scripts/soak_translate.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

# The check and benchmark tools of scripts/ (their scripts build them too), compiled here with
# warnings as errors: a change to the library's interfaces cannot break them unseen.
TOOLS := $(addprefix $(BUILD)/tools/,dump_model bench_bpe bench_qgemm bench_gemm span_stats)
$(BUILD)/tools/%: scripts/%.c $(BUILD)/libseqtrans.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Werror -o $@ $< $(BUILD)/libseqtrans.a $(LDLIBS) -lopenblas

test: deps seqtrans $(TEST_BIN) $(BUILD)/soak_translate $(TOOLS)
	@sh tests/run.sh $(BUILD) ./seqtrans

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" seqtrans-asan

seqtrans-asan: $(BUILD)/main.o $(BUILD)/libseqtrans.a $(TEST_BIN) $(BUILD)/soak_translate
	$(CC) $(CFLAGS) -o $@ $(BUILD)/main.o $(BUILD)/libseqtrans.a $(LDLIBS)
	@ASAN_OPTIONS=detect_leaks=0 sh tests/run.sh $(BUILD) ./seqtrans-asan

demo: deps seqtrans
	@sh scripts/demo.sh

bench: seqtrans
	@sh scripts/bench.sh
	@sh scripts/bench_mpi.sh
	@sh scripts/bench_corpus.sh

# libFuzzer targets for every parser of untrusted input (clang); SECONDS per target.
fuzz: seqtrans
	@sh scripts/fuzz.sh $(SECONDS)

docs: $(MAN_PAGES) $(COMPLETION)

$(BUILD)/man/seqtrans.1: seqtrans | $(BUILD)
	@mkdir -p $(dir $@)
	./seqtrans --man > $@.tmp && mv $@.tmp $@

$(BUILD)/man/seqtrans-%.1: seqtrans | $(BUILD)
	@mkdir -p $(dir $@)
	./seqtrans --man $* > $@.tmp && mv $@.tmp $@

$(COMPLETION): seqtrans | $(BUILD)
	./seqtrans --bash-completion > $@.tmp && mv $@.tmp $@

install: seqtrans docs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 seqtrans $(DESTDIR)$(PREFIX)/bin/seqtrans
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/seqtrans

clean:
	rm -rf build build-asan seqtrans seqtrans-asan
