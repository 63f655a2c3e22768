"""The feature gates a kubelet binary knows, with their defaults and locks per release.

The kubelet refuses to start when ``featureGates`` names a gate its binary does not register
("unrecognized feature gate") or sets a gate that is locked to its default to the other value
(``component-base/featuregate``, ``SetFromMap``, called from
``pkg/kubelet/apis/config/validation/validation.go``). Validation also reads some gates.

Data, transcribed (names and facts only) from the Kubernetes v1.37 "Feature Gates" reference page
(stages with their defaults per release) and ``test/compatibility_lifecycle/reference/feature_list.md``
of kubernetes/kubernetes at the v1.36 cycle (the release from which a gate is locked to its default).
The kubelet registers every gate of the kubernetes binary (``pkg/features``), of the generic API server,
client-go and component-base, so the table is their union. Gates removed before v1.36 are not listed,
which is why unknown gates are only reported from v1.36 on (see :func:`is_known`).

One line per gate: ``Name first:default[,since:default...] [lock:SINCE]`` with minor versions of 1.x.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_TABLE = """
AggregatedDiscoveryRemoveBetaType 0:1 lock:35
AllAlpha 0:0
AllBeta 0:0
AllowDNSOnlyNodeCSR 0:1,31:0
AllowInsecureKubeletCertificateSigningRequests 0:1,31:0
AllowOverwriteTerminationGracePeriodSeconds 0:1 lock:35
AllowParsingUserUIDFromCertAuth 33:0,34:1
AllowUnsafeMalformedObjectDeletion 32:0,37:1
AnonymousAuthConfigurableEndpoints 31:0,32:1 lock:34
AnyVolumeDataSource 18:0,24:1 lock:33
APIResponseCompression 7:0,16:1
APIServerIdentity 20:0,26:1
APIServerTracing 22:0,27:1 lock:34
APIServerWebhookAuthenticationToken 37:0
APIServingWithRoutine 30:0
AtomicFIFO 36:1
AtomicWriteVolumeUserFields 37:0
AuthorizeNodeWithSelectors 31:0,32:1 lock:34
AuthorizePodWebsocketUpgradeCreatePermission 35:1
AuthorizeWithSelectors 31:0,32:1 lock:34
BtreeWatchCache 32:1 lock:33
CBORServingAndStorage 32:0
ChangeContainerStatusOnKubeletRestart 0:1,35:0
ClearingNominatedNodeNameAfterBinding 34:0,35:1
ClientsAllowCBOR 32:0
ClientsPreferCBOR 32:0
CloudControllerManagerWatchBasedRoutesReconciliation 35:0
CloudControllerManagerWebhook 27:0
ClusterTrustBundle 27:0,37:1
ClusterTrustBundleProjection 29:0,37:1
ComponentFlagz 32:0,36:1
ComponentStatusz 32:0,36:1
CompositePodGroup 37:0
ConcurrentWatchObjectDecode 31:0,37:1
ConsistentListFromCache 28:0,31:1 lock:34
ConstrainedImpersonation 35:0,36:1
ContainerCheckpoint 25:0,30:1
ContainerRestartRules 34:0,35:1
ContainerStopSignals 33:0
ContextualLogging 24:0,30:1
ControllerManagerReleaseLeaderElectionLockOnExit 36:0
CoordinatedLeaderElection 31:0
CPUManagerPolicyAlphaOptions 23:0
CPUManagerPolicyBetaOptions 23:1
CPUManagerPolicyOptions 22:0,23:1 lock:33
CRDObservedGenerationTracking 35:0
CRDValidationRatcheting 28:0,30:1 lock:33
CRIListStreaming 36:0
CronJobsScheduledAnnotation 28:1
CrossNamespaceVolumeDataSource 26:0
CSIServiceAccountTokenSecrets 35:1 lock:36
CSIVolumeHealth 21:0
CustomCPUCFSQuotaPeriod 12:0
CustomResourceFieldSelectors 30:0,31:1 lock:32
DeclarativeValidation 33:1
DeclarativeValidationBeta 36:1
DeclarativeValidationTakeover 33:0
DefaultPodSysctls 37:0
DeploymentReplicaSetTerminatingReplicas 33:0,35:1
DetectCacheInconsistency 34:1
DisableAllocatorDualWrite 31:0,34:1 lock:35
DisableCPUQuotaWithExclusiveCPUs 33:1
DisableNodeKubeProxyVersion 29:0,33:1
DRAAdminAccess 32:0,34:1
DRAConsumableCapacity 34:0,36:1
DRADerivedAttributes 37:0
DRADeviceBindingConditions 34:0,36:1
DRADeviceCompatibilityGroups 37:0
DRADeviceTaintRules 35:0,37:1
DRADeviceTaints 33:0,36:1
DRAExtendedResource 34:0,36:1
DRAListTypeAttributes 36:0
DRANodeAllocatableResources 36:0
DRAOptionalNodeOperations 37:0
DRAPartitionableDevices 33:0,36:1
DRAPartitionableDevicesType 37:0
DRAPrioritizedList 33:0,34:1
DRAResourceClaimDeviceStatus 32:0,33:1
DRAResourceClaimGranularStatusAuthorization 36:1
DRAResourcePoolStatus 36:0
DRASchedulerFilterTimeout 34:0
DRAWorkloadResourceClaims 36:0
DynamicResourceAllocation 26:0,34:1 lock:35
ElasticIndexedJob 27:1
EmptyDirVolumeMode 37:0
EnvFiles 34:0,35:1
EtcdRangeStream 37:1
EventedPLEG 26:0
ExcludeAdmissionWebhookVirtualResources 37:1
ExecProbeTimeout 20:1 lock:35
ExtendWebSocketsToKubelet 36:1
ExternalServiceAccountTokenSigner 32:0,34:1
GangScheduling 35:0
GenericWorkload 35:0
GitRepoVolumeDriver 0:1,33:0
GracefulNodeShutdown 20:0,21:1
GracefulNodeShutdownBasedOnPodPriority 23:0,24:1
GRPCContainerProbeTLS 37:0
H2CContainerProbe 37:0
HostnameOverride 34:0,35:1
HPAConfigurableTolerance 33:0,37:1
HPAScaleToZero 16:0,37:1
HugepageAwareEviction 37:1
ImageMaximumGCAge 29:0,30:1 lock:35
ImageVolume 31:0,35:1
ImageVolumeWithDigest 35:0
InformerResourceVersion 30:0,35:1
InOrderInformers 33:1
InOrderInformersBatchProcess 35:1
InPlacePodLevelResourcesVerticalScaling 35:0,36:1
InPlacePodVerticalScaling 27:0,33:1 lock:35
InPlacePodVerticalScalingAllocatedStatus 32:0
InPlacePodVerticalScalingExclusiveCPUs 32:0
InPlacePodVerticalScalingExclusiveMemory 34:0
InPlacePodVerticalScalingMemoryBackedVolumes 37:0
InPlacePodVerticalScalingSchedulerPreemption 37:0
JobBackoffLimitPerIndex 28:0,29:1 lock:33
JobManagedBy 30:0,32:1 lock:35
JobPodReplacementPolicy 28:0,29:1 lock:34
JobSuccessPolicy 30:0,31:1 lock:33
KMSv1 0:1,29:0
KubeletCgroupDriverFromCRI 28:0,31:1 lock:34
KubeletCrashLoopBackOffMax 32:0,35:1
KubeletEnsureSecretPulledImages 33:0,35:1
KubeletFineGrainedAuthz 32:0,33:1 lock:36
KubeletInUserNamespace 22:0,37:1
KubeletPodResourcesDynamicResources 27:0,34:1
KubeletPodResourcesGet 27:0,34:1
KubeletPodResourcesListUseActivePods 0:1
KubeletPSI 33:0,34:1
KubeletRegistrationGetOnExistsOnly 0:1
KubeletSeparateDiskGC 29:0,31:1
KubeletServiceAccountTokenForCredentialProviders 33:0,34:1
KubeletTracing 25:0,27:1 lock:34
KubeProxyIPVS 37:1
KubeProxyNFTablesLocalhostNodePorts 37:0
ListFromCacheSnapshot 33:0,34:1
LocalStorageCapacityIsolationFSQuotaMonitoring 15:0
LogarithmicScaleDown 21:0,22:1 lock:31
LoggingAlphaOptions 24:0
LoggingBetaOptions 24:1
ManifestBasedAdmissionControlConfig 36:0,37:1
MatchLabelKeysInPodAffinity 29:0,31:1 lock:33
MatchLabelKeysInPodTopologySpread 25:0,27:1
MatchLabelKeysInPodTopologySpreadSelectorMerge 34:1
MaxUnavailableStatefulSet 24:0,35:1,36:0,37:1
MemoryManager 21:0,22:1
MemoryQoS 22:0,37:1
MultiCIDRServiceAllocator 27:0,33:1 lock:34
MutableCSINodeAllocatableCount 33:0,35:1
MutablePodResourcesForSuspendedJobs 35:0,36:1
MutablePVNodeAffinity 35:0
MutableSchedulingDirectivesForSuspendedJobs 35:0,36:1
MutatingAdmissionPolicy 30:0,36:1
NativeHistograms 36:0,37:1
NFTablesProxyMode 29:0,31:1 lock:33
NodeDeclaredFeatures 35:0,36:1
NodeInclusionPolicyInPodTopologySpread 25:0,26:1 lock:33
NodeLifecycleConditions 37:0
NodeLogQuery 27:0,36:1
NodeSwap 22:0,30:1 lock:34
NominatedNodeNameForExpectation 34:0,35:1
OpenAPIEnums 23:0,24:1
OpportunisticBatching 35:1
OrderedNamespaceDeletion 30:0,33:1 lock:34
PersistentVolumeClaimUnusedSinceTime 36:0,37:1
PodAndContainerStatsFromCRI 23:0
PodCertificateRequest 34:0,37:1
PodDeletionCost 21:0,22:1
PodGroupPreemptionPolicy 37:0
PodIndexLabel 28:1
PodLevelResourceManagers 36:0
PodLevelResources 32:0,34:1
PodLifecycleSleepAction 29:0,30:1 lock:34
PodLifecycleSleepActionAllowZero 32:0,33:1 lock:34
PodLogsQuerySplitStreams 32:0
PodObservedGenerationTracking 33:0,34:1 lock:35
PodReadyToStartContainersCondition 28:0,29:1
PodSchedulingReadiness 26:0,27:1 lock:30
PodsAPI 36:0,37:1
PodTopologyLabelsAdmission 33:0,35:1
PortForwardWebsockets 30:0,31:1
PreferSameTrafficDistribution 33:0,34:1 lock:35
PreventStaticPodAPIReferences 34:1
ProcMountType 12:0,33:1
QOSReserved 11:0
RecoverVolumeExpansionFailure 23:0,32:1 lock:34
RecursiveReadOnlyMounts 30:0,31:1 lock:33
ReduceDefaultCrashLoopBackOffDecay 33:0
RelaxedDNSSearchValidation 32:0,33:1 lock:34
RelaxedEnvironmentVariableValidation 30:0,32:1 lock:34
RelaxedServiceNameValidation 34:0,36:1
ReloadKubeletServerCertificateFile 31:1
RemoteRequestHeaderUID 32:0
ResilientWatchCacheInitialization 31:1 lock:34
ResourceHealthStatus 31:0,36:1
ResourceHealthStatusMessage 36:1
RestartAllContainersOnContainerExits 35:0,36:1
RetryGenerateName 30:0,31:1 lock:32
RotateKubeletServerCertificate 7:0,12:1
RuntimeClassInImageCriApi 29:0
SchedulerAsyncAPICalls 34:1
SchedulerAsyncPreemption 32:0,33:1
SchedulerPopFromBackoffQ 33:1
SchedulerQueueingHints 28:1,29:0,32:1 lock:34
SELinuxChangePolicy 32:0,33:1
SELinuxMount 30:0,37:1
SELinuxMountReadWriteOncePod 25:0,28:1
SeparateCacheWatchRPC 28:1,33:0
SeparateTaintEvictionController 29:1 lock:34
ServiceAccountNodeAudienceRestriction 32:0,33:1
ServiceAccountTokenJTI 29:0,30:1 lock:32
ServiceAccountTokenNodeBinding 29:0,31:1 lock:33
ServiceAccountTokenNodeBindingValidation 29:0,30:1 lock:32
ServiceAccountTokenPodNodeInfo 29:0,30:1 lock:32
ServiceTrafficDistribution 30:0,31:1
ShardedListAndWatch 36:0
SidecarContainers 28:0,29:1 lock:33
SizeBasedListCostEstimate 34:1
StaleControllerConsistencyDaemonSet 36:1
StaleControllerConsistencyJob 36:1
StaleControllerConsistencyReplicaSet 36:1
StaleControllerConsistencyStatefulSet 36:1
StatefulSetAutoDeletePVC 23:0,27:1
StatefulSetRecreateStrategy 37:0
StatefulSetSemanticRevisionComparison 0:1
StatefulSetStartOrdinal 26:0,27:1
StorageCapacityScoring 33:0,37:1
StorageNamespaceIndex 30:1
StorageVersionAPI 20:0
StorageVersionHash 14:0,15:1
StorageVersionMigrator 30:0
StreamingCollectionEncodingToJSON 33:1 lock:34
StreamingCollectionEncodingToProtobuf 33:1 lock:34
StrictCostEnforcementForVAP 30:0,32:1
StrictCostEnforcementForWebhooks 31:0,32:1
StrictIPCIDRValidation 33:0,36:1
StructuredAuthenticationConfiguration 29:0,30:1 lock:34
StructuredAuthenticationConfigurationEgressSelector 34:1
StructuredAuthenticationConfigurationJWKSMetrics 35:1
StructuredAuthorizationConfiguration 29:0,30:1
SupplementalGroupsPolicy 31:0,33:1 lock:35
SystemdWatchdog 32:1
TaintTolerationComparisonOperators 35:0
TokenRequestServiceAccountUIDValidation 34:1
TopologyAwareHints 21:0,24:1
TopologyAwareWorkloadScheduling 36:0
TopologyManagerPolicyAlphaOptions 26:0
TopologyManagerPolicyBetaOptions 26:0,28:1
TopologyManagerPolicyOptions 26:0,28:1 lock:32
TranslateStreamCloseWebsocketRequests 29:0,30:1
UnauthenticatedHTTP2DOSMitigation 28:0,29:1
UnknownVersionInteroperabilityProxy 28:0,36:1
UnlockWhileProcessingFIFO 36:1
UserNamespacesHostNetworkSupport 35:0
UserNamespacesSupport 25:0,33:1
VolumeAttributesClass 29:0,34:1 lock:36
VolumeBindMountOptions 37:0
VolumeLimitScaling 35:0,37:1
WatchCacheInitializationPostStartHook 31:0,36:1
WatchFromStorageWithoutResourceVersion 30:0
WatchList 27:0,32:1,33:0,34:1
WatchListClient 30:0,35:1
WindowsCPUAndMemoryAffinity 32:0
WindowsGracefulNodeShutdown 32:0,34:1
WindowsHostNetwork 26:1,33:0
WinDSR 14:0,33:1 lock:34
WinOverlay 14:0,20:1 lock:34
WorkloadWithJob 36:0
"""

# Releases for which the table is complete enough to call a name unknown (gates removed before
# v1.36 are not listed, so on an older release an unlisted name may still be valid).
COMPLETE_FROM = (1, 36)
NEWEST = (1, 37)


@dataclass(frozen=True)
class Gate:
    name: str
    first: int
    history: tuple[tuple[int, bool], ...]
    lock_since: int | None

    def default(self, minor: int) -> bool:
        value = self.history[0][1]
        for since, on in self.history:
            if since <= minor:
                value = on
        return value

    def locked(self, minor: int) -> bool:
        return self.lock_since is not None and self.lock_since <= minor


@lru_cache(maxsize=1)
def gates() -> dict[str, Gate]:
    out: dict[str, Gate] = {}
    for line in _TABLE.strip().splitlines():
        parts = line.split()
        name, hist = parts[0], parts[1]
        steps = tuple((int(s.split(":")[0]), s.split(":")[1] == "1") for s in hist.split(","))
        lock = None
        for extra in parts[2:]:
            if extra.startswith("lock:"):
                lock = int(extra[5:])
        out[name] = Gate(name, steps[0][0], steps, lock)
    return out


def is_known(name: str, version: tuple[int, int]) -> bool | None:
    """True/False for a name the kubelet of ``version`` registers or not; None when the table cannot
    tell (a release older than :data:`COMPLETE_FROM` or newer than :data:`NEWEST`)."""
    gate = gates().get(name)
    if gate is not None and gate.first <= version[1]:
        return True
    if version < COMPLETE_FROM or version > NEWEST:
        return None
    return False


def enabled(name: str, overrides: dict[str, bool], version: tuple[int, int]) -> bool:
    """The gate's value for the kubelet: the configured override, else the release default."""
    value = overrides.get(name)
    if isinstance(value, bool):
        return value
    gate = gates().get(name)
    return gate.default(version[1]) if gate is not None else False


def closest(name: str) -> str | None:
    import difflib

    names = list(gates())
    for n in names:
        if n.lower() == name.lower():
            return n
    match = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return match[0] if match else None
