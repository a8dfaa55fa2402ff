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
static inline CURLcode agentd_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}
static inline CURLcode agentd_curl_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION take this signature.
static inline CURLcode agentd_curl_easy_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
/// CURLOPT_CLOSESOCKETFUNCTION: the callback closes the socket itself.
static inline CURLcode agentd_curl_easy_setopt_closesocket_function(CURL *handle, curl_closesocket_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, callback);
}
static inline CURLcode agentd_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode agentd_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode agentd_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLMcode agentd_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLMcode agentd_curl_multi_setopt_socket_function(CURLM *multi, curl_socket_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}
static inline CURLMcode agentd_curl_multi_setopt_timer_function(CURLM *multi, curl_multi_timer_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

/// Macro constants, as values Swift imports with a known type.
static const int agentd_CURL_POLL_IN = CURL_POLL_IN;
static const int agentd_CURL_POLL_OUT = CURL_POLL_OUT;
static const int agentd_CURL_POLL_REMOVE = CURL_POLL_REMOVE;
static const int agentd_CURL_CSELECT_IN = CURL_CSELECT_IN;
static const int agentd_CURL_CSELECT_OUT = CURL_CSELECT_OUT;
static const int agentd_CURL_CSELECT_ERR = CURL_CSELECT_ERR;
static const curl_socket_t agentd_CURL_SOCKET_TIMEOUT = CURL_SOCKET_TIMEOUT;
static const size_t agentd_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;
static const int agentd_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const int agentd_CURLPAUSE_RECV = CURLPAUSE_RECV;
static const long agentd_CURL_GLOBAL_DEFAULT = CURL_GLOBAL_DEFAULT;
static const long agentd_CURLPIPE_MULTIPLEX = CURLPIPE_MULTIPLEX;
static const long agentd_CURL_HTTP_VERSION_2TLS = CURL_HTTP_VERSION_2TLS;
static const long agentd_CURL_HTTP_VERSION_2_0 = CURL_HTTP_VERSION_2_0;
#endif
