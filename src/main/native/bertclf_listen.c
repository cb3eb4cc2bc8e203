/*
 * Makes TensorFlow's gRPC server listen on one address instead of every interface of the machine.
 *
 * Why hand-written C: TensorFlow's distributed runtime (grpc_server_lib.cc, GrpcServer::Init) builds its listening
 * address as "0.0.0.0:" + port, whatever host the cluster names for the task, and offers no option to change it;
 * gRPC then binds the wildcard address, dual-stack. The runtime has no authentication, so any process that reaches
 * the port (from any network the machine is on) can run graph ops, ReadFile and WriteFile included, as the user.
 * No library on Maven Central narrows it. This library does, without touching TensorFlow's code: it replaces the
 * entry for bind() in the global offset tables of the TensorFlow libraries the process has loaded (they are linked
 * with -z now, so every entry is resolved at load and the table is made read-only: it is made writable for the one
 * word and read-only again), with a bind() that turns a wildcard address into the address the cluster names, for
 * the ports it was told (runtime.ListenAddress). Every other bind() of every library, and of those libraries for
 * other ports, goes to the C library unchanged.
 *
 * Java calls it through JNI: ListenAddress.restrict(port, address) records the rule and patches the tables; it
 * answers how many table entries now lead here (0: TensorFlow's libraries are not loaded, or call bind() in a way
 * this does not know, and the caller must not rely on it; WorkerServer also checks the socket the server got).
 * Linux x86-64 only, like the fused kernels; scripts/build-native-kernels builds it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <jni.h>
#include <link.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 64

/* Ports and the IPv6 address (an IPv4 one as ::ffff:a.b.c.d) their wildcard binds are turned into. */
static struct rule {
    int port;
    struct in6_addr address;
} rules[MAX_RULES];
static volatile int rule_count;
static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;

static int find_rule(int port, struct in6_addr* address) {
    int n = rule_count;
    for (int i = 0; i < n; i++) {
        if (rules[i].port == port) {
            *address = rules[i].address;
            return 1;
        }
    }
    return 0;
}

/* bind() for TensorFlow's libraries: a wildcard address on a port with a rule becomes the rule's address. */
static int listen_bind(int fd, const struct sockaddr* addr, socklen_t len) {
    struct in6_addr want;
    if (addr != NULL && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 a;
        memcpy(&a, addr, sizeof a);
        if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr) && find_rule(ntohs(a.sin6_port), &want)) {
            a.sin6_addr = want;
            return bind(fd, (const struct sockaddr*)&a, sizeof a);
        }
    } else if (addr != NULL && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in a;
        memcpy(&a, addr, sizeof a);
        if (a.sin_addr.s_addr == htonl(INADDR_ANY) && find_rule(ntohs(a.sin_port), &want)) {
            if (!IN6_IS_ADDR_V4MAPPED(&want)) { /* an IPv6 address cannot be had on an IPv4 socket */
                errno = EADDRNOTAVAIL;
                return -1;
            }
            memcpy(&a.sin_addr, &want.s6_addr[12], 4);
            return bind(fd, (const struct sockaddr*)&a, sizeof a);
        }
    }
    return bind(fd, addr, len);
}

/* A dynamic-section address: glibc has already added the load address to these on Linux; tell either way. */
static uintptr_t absolute(const struct dl_phdr_info* info, uintptr_t p) {
    return p < info->dlpi_addr ? p + info->dlpi_addr : p;
}

/* Points one table entry at listen_bind, the page writable only for the write. */
static int patch_slot(void** slot) {
    if (*slot == (void*)listen_bind) return 1;
    long page_size = sysconf(_SC_PAGESIZE);
    uintptr_t page = (uintptr_t)slot & ~((uintptr_t)page_size - 1);
    if (mprotect((void*)page, (size_t)page_size, PROT_READ | PROT_WRITE) != 0) return 0;
    *slot = (void*)listen_bind;
    mprotect((void*)page, (size_t)page_size, PROT_READ);
    return 1;
}

static int patch_relocations(const struct dl_phdr_info* info, const ElfW(Rela) * rela, size_t bytes,
                             const ElfW(Sym) * symbols, const char* strings) {
    int patched = 0;
    for (size_t i = 0; rela != NULL && i < bytes / sizeof *rela; i++) {
        unsigned long type = ELF64_R_TYPE(rela[i].r_info);
        if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) continue;
        const ElfW(Sym)* symbol = &symbols[ELF64_R_SYM(rela[i].r_info)];
        if (strcmp(strings + symbol->st_name, "bind") != 0) continue;
        patched += patch_slot((void**)(info->dlpi_addr + rela[i].r_offset));
    }
    return patched;
}

/* dl_iterate_phdr's callback: patches bind() in each loaded TensorFlow library; *data counts the entries. */
static int patch_object(struct dl_phdr_info* info, size_t size, void* data) {
    (void)size;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, "libtensorflow") == NULL) return 0;
    const ElfW(Dyn)* dynamic = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
            dynamic = (const ElfW(Dyn)*)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
        }
    }
    if (dynamic == NULL) return 0;
    const ElfW(Sym)* symbols = NULL;
    const char* strings = NULL;
    const ElfW(Rela)*plt = NULL, *rela = NULL;
    size_t plt_bytes = 0, rela_bytes = 0;
    for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
            case DT_SYMTAB: symbols = (const ElfW(Sym)*)absolute(info, d->d_un.d_ptr); break;
            case DT_STRTAB: strings = (const char*)absolute(info, d->d_un.d_ptr); break;
            case DT_JMPREL: plt = (const ElfW(Rela)*)absolute(info, d->d_un.d_ptr); break;
            case DT_PLTRELSZ: plt_bytes = d->d_un.d_val; break;
            case DT_RELA: rela = (const ElfW(Rela)*)absolute(info, d->d_un.d_ptr); break;
            case DT_RELASZ: rela_bytes = d->d_un.d_val; break;
            default: break;
        }
    }
    if (symbols == NULL || strings == NULL) return 0;
    *(int*)data += patch_relocations(info, plt, plt_bytes, symbols, strings)
                   + patch_relocations(info, rela, rela_bytes, symbols, strings);
    return 0;
}

/* ListenAddress.restrict(int port, byte[] address16): the rule for one port; answers the entries patched. */
JNIEXPORT jint JNICALL Java_dev_bertclf_runtime_ListenAddress_restrict(JNIEnv* env, jclass cls, jint port,
                                                                          jbyteArray address) {
    (void)cls;
    if (port <= 0 || port > 65535 || (*env)->GetArrayLength(env, address) != 16) return -1;
    struct in6_addr a;
    (*env)->GetByteArrayRegion(env, address, 0, 16, (jbyte*)a.s6_addr);
    pthread_mutex_lock(&rules_lock);
    int done = 0;
    for (int i = 0; i < rule_count; i++) {
        if (rules[i].port == port) {
            rules[i].address = a;
            done = 1;
        }
    }
    if (!done && rule_count < MAX_RULES) {
        rules[rule_count].port = port;
        rules[rule_count].address = a;
        __sync_synchronize();
        rule_count++;
        done = 1;
    }
    int patched = 0;
    if (done) dl_iterate_phdr(patch_object, &patched);
    pthread_mutex_unlock(&rules_lock);
    return done ? patched : -1;
}
