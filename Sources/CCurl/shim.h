#ifndef AGENTD_CCURL_SHIM_H
#define AGENTD_CCURL_SHIM_H
// libcurl for Swift. curl_easy_setopt/getinfo and curl_multi_setopt are variadic macros that Swift cannot
// call; the typed, non-variadic wrappers below are what the LLM layer uses instead (after
// swift-corelibs-foundation's libcurl shim). Each wrapper names the argument type curl expects for the option.
#include <curl/curl.h>

static inline CURLcode agentd_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode agentd_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode agentd_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode agentd_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode agentd_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLMcode agentd_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}
#endif
