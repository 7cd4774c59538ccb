/* seqtrans info: what a model file holds and how it was trained, as text or JSON. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "nn/cell.h"
#include "store/model_file.h"
#include "store/record.h"
#include "sys/util.h"
#include "text/text.h"

/* When the file was last written (UTC), for the report: the training record holds no clock
 * time, so that the same run always writes the same bytes. */
static int saved_time(const char *path, char *buf, size_t n)
{
    struct stat st;
    struct tm tm;
    return stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm) &&
           strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

/* A configuration field as people read it: languages and kinds by name. */
static void field_text(const model_config *c, int i, char *buf, size_t n)
{
    const char *name = model_config_field_name(i);
    int v = model_config_field(c, i);
    if (!strcmp(name, "src_lang") || !strcmp(name, "tgt_lang")) snprintf(buf, n, "%s", lang_name((lang_t)v));
    else if (!strcmp(name, "bidir")) snprintf(buf, n, "%s", v ? "bi" : "uni");
    else if (!strcmp(name, "cell")) snprintf(buf, n, "%s", cell_of(v) ? cell_of(v)->name : "?");
    else snprintf(buf, n, "%d", v);
}

static int numeric(const char *name)
{
    return strcmp(name, "src_lang") && strcmp(name, "tgt_lang") && strcmp(name, "bidir") && strcmp(name, "cell");
}

static void print_record_text(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    printf("  %-22s %s\n", key, value);
}

static void print_text(const char *path, const model_file_info *in, const model *m)
{
    char buf[64];
    printf("%s: seqtrans model, format version %u\n", path, in->version);
    char when[32];
    if (saved_time(path, when, sizeof when)) printf("saved: %s\n", when);
    printf("configuration:\n");
    for (int i = 0; i < model_config_field_count(); i++) {
        field_text(&in->cfg, i, buf, sizeof buf);
        printf("  %-22s %s\n", model_config_field_name(i), buf);
    }
    printf("parameters: %zu (%.1f MB as float32)\n", m->n_params, m->n_params * 4 / 1e6);
    printf("sections (model part, %llu bytes):\n", (unsigned long long)in->model_bytes);
    for (int i = 0; i < in->n_sections; i++)
        printf("  %s  %-24s %12llu bytes%s\n", in->sections[i].tag_text, in->sections[i].name,
               (unsigned long long)in->sections[i].bytes, in->sections[i].required ? "" : "  (optional)");
    if (m->record) {
        printf("training:\n");
        record_each(m->record, print_record_text, NULL);
    } else {
        printf("training: not recorded (written by an earlier seqtrans)\n");
    }
    if (in->state_bytes)
        printf("resumable: yes (%llu bytes of training state)\n", (unsigned long long)in->state_bytes);
    else
        printf("resumable: no (no training state)\n");
}

typedef struct {
    int first;
} json_list;

static void print_record_json(void *ctx, const char *key, const char *value)
{
    json_list *l = ctx;
    printf("%s", l->first ? "" : ", ");
    l->first = 0;
    json_write_string(stdout, key);
    printf(": ");
    json_write_string(stdout, value);
}

static void print_json(const char *path, const model_file_info *in, const model *m)
{
    char buf[64];
    char when[32];
    printf("{\"file\": ");
    json_write_string(stdout, path);
    if (saved_time(path, when, sizeof when)) printf(", \"saved\": \"%s\"", when);
    printf(", \"format_version\": %u, \"model_bytes\": %llu, \"state_bytes\": %llu, "
           "\"resumable\": %s, \"parameters\": %zu, \"config\": {",
           in->version, (unsigned long long)in->model_bytes, (unsigned long long)in->state_bytes,
           in->state_bytes ? "true" : "false", m->n_params);
    for (int i = 0; i < model_config_field_count(); i++) {
        const char *name = model_config_field_name(i);
        field_text(&in->cfg, i, buf, sizeof buf);
        printf("%s\"%s\": ", i ? ", " : "", name);
        if (numeric(name)) printf("%s", buf);
        else json_write_string(stdout, buf);
    }
    printf("}, \"sections\": [");
    for (int i = 0; i < in->n_sections; i++) {
        printf("%s{\"tag\": ", i ? ", " : "");
        json_write_string(stdout, in->sections[i].tag_text);
        printf(", \"name\": ");
        json_write_string(stdout, in->sections[i].name);
        printf(", \"offset\": %llu, \"bytes\": %llu, \"required\": %s}",
               (unsigned long long)in->sections[i].offset, (unsigned long long)in->sections[i].bytes,
               in->sections[i].required ? "true" : "false");
    }
    printf("], \"training\": {");
    json_list l = {1};
    record_each(m->record, print_record_json, &l);
    printf("}}\n");
}

typedef struct {
    int json;
} info_options;

static void info_defaults(void *store) { *(info_options *)store = (info_options){0}; }

static const opt_spec info_opts[] = {
    {"json", 0, OPT_FLAG, offsetof(info_options, json), NULL, NULL, 0, 0, NULL,
     "one JSON object instead of the text report", NULL},
};

const opt_command info_command = {
    .name = "info",
    .summary = "show what a model file holds and how it was trained",
    .synopsis = "[--json] [MODEL]",
    .description = "Shows what a model file holds: format version, configuration (sizes, layers, "
                   "encoder, cell, languages), vocabulary sizes, parameter count and bytes per "
                   "section, how it was trained, and whether `train --resume` can continue it. "
                   "MODEL defaults to $SEQTRANS_MODEL, else seqtrans.model.",
    .opts = info_opts,
    .n_opts = sizeof info_opts / sizeof info_opts[0],
    .store_size = sizeof(info_options),
    .init = info_defaults,
    .operand_glob = "*.model",
};

int cmd_info(int argc, char **argv)
{
    info_options o;
    info_defaults(&o);
    opt_result args;
    int rc = opt_parse(&info_command, argc, argv, &o, &args);
    if (rc != OPT_CONTINUE) return rc;
    if (argc - args.first_operand > 1) return opt_usage_error(&info_command, "one MODEL at most");
    const char *path = args.first_operand < argc ? argv[args.first_operand] : model_default_path();
    model_file_info in;
    model *m;
    if (model_file_describe(path, &in) != 0 || model_file_read_only(path, &m) != 0) return 1;
    if (o.json) print_json(path, &in, m);
    else print_text(path, &in, m);
    model_free(m);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        st_error("cannot write output");
        return 1;
    }
    return 0;
}
