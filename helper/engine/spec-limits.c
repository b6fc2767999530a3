/* Parsing and formatting of CPU, memory and pids limits. */
#define G_LOG_DOMAIN "gocker-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "spec-private.h"

static gboolean
is_max (const char *text)
{
  return g_ascii_strcasecmp (text, "max") == 0;
}

gboolean
gocker_parse_cpu_limit (const char *text, double *out_cpus, GError **error)
{
  char *end = NULL;
  double cpus = 0;
  long ncpus = sysconf (_SC_NPROCESSORS_CONF);

  if (ncpus < 1)
    ncpus = 1;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid CPU limit \"\": expected a number of CPUs from %.2f to %ld, or max"),
                   GOCKER_MIN_CPU_LIMIT, ncpus);
      return FALSE;
    }
  if (is_max (text))
    {
      *out_cpus = 0;
      return TRUE;
    }

  /* Plain decimal only: strtod would also take hex, exponents, inf and nan. */
  errno = 0;
  if (strspn (text, "0123456789.") != strlen (text))
    end = (char *) text;
  else
    cpus = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (cpus))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid CPU limit \"%s\": expected a number of CPUs such as 0.5 or 2, or max"),
                   text);
      return FALSE;
    }
  if (cpus < GOCKER_MIN_CPU_LIMIT || cpus > (double) ncpus)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid CPU limit \"%s\": allowed are %.2f to %ld CPUs (the number of CPUs of this host), or max; "
                   "below %.2f the kernel's minimum quota of 1 ms per 100 ms cannot be met"),
                   text, GOCKER_MIN_CPU_LIMIT, ncpus, GOCKER_MIN_CPU_LIMIT);
      return FALSE;
    }

  *out_cpus = cpus;
  return TRUE;
}

GockerSizeParse
gocker_parse_size (const char *text, guint64 *out_bytes)
{
  const char *p;
  guint64 value = 0;
  guint64 multiplier = 1;

  if (text == NULL || *text == '\0')
    return GOCKER_SIZE_INVALID;

  for (p = text; g_ascii_isdigit (*p); p++)
    {
      guint digit = *p - '0';

      if (value > (G_MAXUINT64 - digit) / 10)
        return GOCKER_SIZE_TOO_LARGE;
      value = value * 10 + digit;
    }
  if (p == text)
    return GOCKER_SIZE_INVALID;

  switch (g_ascii_toupper (*p))
    {
    case '\0':
      break;
    case 'K':
      multiplier = 1024;
      break;
    case 'M':
      multiplier = 1024 * 1024;
      break;
    case 'G':
      multiplier = 1024 * 1024 * 1024;
      break;
    default:
      return GOCKER_SIZE_INVALID;
    }
  if (*p != '\0')
    {
      p++;
      /* Accept the "KB", "MB", "GB" and "KiB" spellings as well. */
      if (g_ascii_strcasecmp (p, "b") == 0 || g_ascii_strcasecmp (p, "ib") == 0)
        p += strlen (p);
      if (*p != '\0')
        return GOCKER_SIZE_INVALID;
    }

  if (value > G_MAXINT64 / multiplier)
    return GOCKER_SIZE_TOO_LARGE;
  *out_bytes = value * multiplier;
  return GOCKER_SIZE_OK;
}

gboolean
gocker_parse_memory_limit (const char *text, guint64 *out_bytes, GError **error)
{
  guint64 value = 0;

  if (text != NULL && is_max (text))
    {
      *out_bytes = 0;
      return TRUE;
    }

  switch (gocker_parse_size (text, &value))
    {
    case GOCKER_SIZE_OK:
      break;
    case GOCKER_SIZE_TOO_LARGE:
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid memory limit \"%s\": the value is too large; use max for no limit"), text);
      return FALSE;
    case GOCKER_SIZE_INVALID:
    default:
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid memory limit \"%s\": expected bytes with an optional K, M or G suffix "
                   "(such as 512M or 1g), at least 6M, or max"),
                   text ? text : "");
      return FALSE;
    }

  if (value < GOCKER_MIN_MEMORY_LIMIT)
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid memory limit \"%s\": the minimum is 6M (6291456 bytes), or use max"),
                   text);
      return FALSE;
    }

  *out_bytes = value;
  return TRUE;
}

gboolean
gocker_parse_pids_limit (const char *text, guint64 *out_pids, GError **error)
{
  guint64 value;

  if (text != NULL && is_max (text))
    {
      *out_pids = 0;
      return TRUE;
    }
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, GOCKER_MAX_PIDS_LIMIT, &value, NULL))
    {
      g_set_error (error, GOCKER_SPEC_ERROR, GOCKER_SPEC_ERROR_INVALID,
                   _("invalid pids limit \"%s\": expected a whole number from 1 to %d, or max"),
                   text ? text : "", GOCKER_MAX_PIDS_LIMIT);
      return FALSE;
    }
  *out_pids = value;
  return TRUE;
}

char *
gocker_format_memory (guint64 bytes)
{
  static const char suffixes[] = { 'G', 'M', 'K' };
  guint64 unit = 1024ULL * 1024 * 1024;

  if (bytes == 0)
    return g_strdup ("max");
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++, unit /= 1024)
    if (bytes % unit == 0)
      return g_strdup_printf ("%" G_GUINT64_FORMAT "%c", bytes / unit, suffixes[i]);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
}

char *
gocker_format_cpus (double cpus)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (cpus <= 0)
    return g_strdup ("max");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", cpus));
}
