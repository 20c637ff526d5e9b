# SPDX-License-Identifier: GPL-2.0
# For kernels built without CONFIG_DEVICE_PRIVATE (Debian trixie's 6.12):
# the module built against their headers must refuse to load with a clear
# message, without a WARN, and leave nothing behind.

out=$(modprobe svm_pagemap 2>&1)
t_eq "svm_pagemap refuses to load without CONFIG_DEVICE_PRIVATE" 1 "$?"
t_grep "the refusal says why in dmesg" 'built without CONFIG_DEVICE_PRIVATE' "$(dmesg)"
t_eq "no svm_pagemap left loaded" "" "$(grep svm_pagemap /proc/modules)"
t_eq "no svm_pagemap device node left" "" "$(ls /dev/svm_pagemap* 2>/dev/null)"

# The drm_pagemap engine is not built against these headers: asking for it
# is refused first, saying so.
dmesg -C
modprobe svm_pagemap engine=drm_pagemap >/dev/null 2>&1
t_eq "engine=drm_pagemap refuses to load" 1 "$?"
t_grep "the refusal names the missing drm_pagemap API" \
	'engine=drm_pagemap: built against kernel headers without the drm_pagemap API' "$(dmesg)"
t_eq "no svm_pagemap left loaded after engine=drm_pagemap" "" "$(grep svm_pagemap /proc/modules)"
